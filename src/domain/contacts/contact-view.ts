import type { CustomData } from './custom-data.ts';
import type { ChannelKind } from '../model/enums.ts';

/** Open's Contact, plus Switchboard's identities and opted_out (the zod form is ContactDto in the HTTP layer). */
export interface ContactJson {
  id: string;
  email: string | null;
  phone_number: string | null;
  name: string | null;
  avatar_url: string | null;
  custom_data: CustomData | null;
  non_verified_name: string | null;
  non_verified_email: string | null;
  non_verified_custom_data: CustomData | null;
  verified: boolean;
  created_at: string;
  updated_at: string;
  identities: Array<{ channel_type: ChannelKind; address: string }>;
  opted_out: ChannelKind[];
}

/** The fields contactView reads (a `contacts` row satisfies it). */
export interface ContactRowLike {
  id: string;
  email: string | null;
  phoneNumber: string | null;
  name: string | null;
  avatarUrl: string | null;
  customData: CustomData;
  nonVerifiedName: string | null;
  nonVerifiedEmail: string | null;
  nonVerifiedCustomData: CustomData | null;
  verified: boolean;
  optedOut: ChannelKind[];
  createdAt: Date;
  updatedAt: Date;
}

/** A contact row (and its identities) → Open's Contact JSON. */
export function contactView(
  row: ContactRowLike,
  identities: readonly { channelType: ChannelKind; address: string }[] = [],
): ContactJson {
  return {
    id: row.id,
    email: row.email,
    phone_number: row.phoneNumber,
    name: row.name,
    avatar_url: row.avatarUrl,
    custom_data: row.customData ?? {},
    non_verified_name: row.nonVerifiedName,
    non_verified_email: row.nonVerifiedEmail,
    non_verified_custom_data: row.nonVerifiedCustomData,
    verified: row.verified,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    identities: identities.map((i) => ({ channel_type: i.channelType, address: i.address })),
    opted_out: row.optedOut ?? [],
  };
}
