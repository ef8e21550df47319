import twilio from 'twilio';

// Twilio wants TwiML back from every messaging webhook. We reply later through the REST API, so the answer is
// always the empty `<Response/>`; a wrong content type would log warning 12300 in the customer's Twilio console.

const EMPTY_RESPONSE = new twilio.twiml.MessagingResponse().toString();

export function emptyTwimlAck(): Response {
  return new Response(EMPTY_RESPONSE, { status: 200, headers: { 'Content-Type': 'text/xml' } });
}
