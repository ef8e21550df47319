CREATE TABLE "mailbox_cursors" (
	"channel_id" uuid NOT NULL,
	"mailbox" text NOT NULL,
	"uid_validity" bigint NOT NULL,
	"last_uid" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mailbox_cursors_channel_id_mailbox_pk" PRIMARY KEY("channel_id","mailbox")
);
--> statement-breakpoint
ALTER TABLE "mailbox_cursors" ADD CONSTRAINT "mailbox_cursors_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;