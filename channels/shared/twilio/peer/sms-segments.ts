// How many SMS segments a body costs (Twilio's `num_segments`): GSM-7 fits 160 characters (153 per part once
// concatenated, extension characters count twice); a single character outside GSM-7 makes it UCS-2, 70 (67) units.

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '^{}\\[~]|€\f';

function gsm7Length(body: string): number | undefined {
  let units = 0;
  for (const ch of body) {
    if (GSM7_BASIC.includes(ch)) units += 1;
    else if (GSM7_EXTENSION.includes(ch)) units += 2;
    else return undefined;
  }
  return units;
}

export function smsSegments(body: string): number {
  if (body.length === 0) return 1;
  const gsm = gsm7Length(body);
  if (gsm !== undefined) return gsm <= 160 ? 1 : Math.ceil(gsm / 153);
  // UCS-2 counts UTF-16 code units: an emoji outside the BMP takes two.
  return body.length <= 70 ? 1 : Math.ceil(body.length / 67);
}
