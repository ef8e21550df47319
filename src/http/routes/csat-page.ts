import { html } from 'hono/html';

// The rating page an email's link opens: the five choices (the link's one chosen), a comment, a submit. Plain
// HTML with no script, readable on a phone; hono/html escapes every value put in.

export type SurveyPage =
  | { kind: 'form'; score: number | null; comment: string | null; error?: string }
  | { kind: 'thanks'; score: number }
  | { kind: 'closed' }
  | { kind: 'unknown' };

const LABELS = ['Poor', 'Fair', 'Good', 'Very good', 'Excellent'];

const layout = (body: unknown) => html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>How did we do?</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2937}
fieldset{border:0;padding:0;display:flex;gap:.5rem;flex-wrap:wrap}label{border:1px solid #cbd5e1;border-radius:8px;padding:.5rem .75rem;cursor:pointer}
textarea{width:100%;min-height:5rem}button{margin-top:1rem;padding:.6rem 1.2rem;border-radius:8px;border:0;background:#2563eb;color:#fff;font-size:1rem}
.error{color:#b91c1c}</style></head><body>${body}</body></html>`;

export function surveyPage(p: SurveyPage) {
  if (p.kind === 'unknown') return layout(html`<h1>Link not found</h1><p>This rating link is not valid.</p>`);
  if (p.kind === 'closed') return layout(html`<h1>Thanks</h1><p>This survey is closed: ratings are taken for 7 days.</p>`);
  if (p.kind === 'thanks') return layout(html`<h1>Thank you!</h1><p>You rated us ${p.score} of 5 (${LABELS[p.score - 1]}). You can change it from the same link for 7 days.</p>`);
  const choices = LABELS.map(
    (label, i) => html`<label><input type="radio" name="score" value="${i + 1}" ${p.score === i + 1 ? 'checked' : ''} required> ${i + 1} – ${label}</label>`,
  );
  return layout(html`<h1>How would you rate the help you got?</h1>
${p.error ? html`<p class="error">${p.error}</p>` : ''}
<form method="post"><fieldset><legend>Your rating</legend>${choices}</fieldset>
<p><label for="comment" style="border:0;padding:0">Anything you want to add? (optional)</label></p>
<textarea id="comment" name="comment" maxlength="2000">${p.comment ?? ''}</textarea>
<button type="submit">Send rating</button></form>`);
}
