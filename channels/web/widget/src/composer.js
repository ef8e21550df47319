import { t } from './i18n.js';

// The message box: its height and length counter, Enter to send, typing frames (at most one per 3 s), and files
// from the attach button, a drop on the panel or a paste.

/**
 * @param {{state: import('./state.js').State, view: import('./view.js').View, sendText: (text: string) => void,
 *   addFiles: (files: FileList) => void, send: (frame: object) => boolean}} deps  send: a frame, if the socket is ready
 */
export function createComposer({ state, view, sendText, addFiles, send }) {
  const { textarea, counter, sendBtn, form, fileInput, attachBtn, panel } = view;
  const { ui } = state;

  function onInput() {
    const v = textarea.value, max = state.limits.max_text_length, near = v.length >= max * 0.8;
    textarea.style.height = 'auto';
    textarea.style.height = Math.min(textarea.scrollHeight + 2, 132) + 'px';
    counter.hidden = !near;
    counter.classList.toggle('over', v.length > max);
    counter.textContent = !near ? '' : v.length > max ? t.overLimit(v.length - max, max) : t.counter(v.length, max);
    sendBtn.disabled = state.visitor.blocked || !v.trim() || v.length > max;
    if (v && Date.now() - ui.lastTyping >= 3000 && send({ type: 'typing' })) ui.lastTyping = Date.now();
  }

  function submit() {
    const text = textarea.value.trim();
    if (state.visitor.blocked || !text || textarea.value.length > state.limits.max_text_length) return;
    sendText(text);
    textarea.value = '';
    onInput();
  }

  textarea.addEventListener('input', onInput);
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      submit();
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
    textarea.focus();
  });
  attachBtn.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    if (fileInput.files) addFiles(fileInput.files);
    fileInput.value = '';
  });
  panel.addEventListener('dragover', (e) => { if (e.dataTransfer?.types.includes('Files')) e.preventDefault(); });
  panel.addEventListener('drop', (e) => {
    if (e.dataTransfer?.files.length) {
      e.preventDefault();
      addFiles(e.dataTransfer.files);
    }
  });
  textarea.addEventListener('paste', (e) => {
    const f = e.clipboardData?.files;
    if (f && f.length) {
      e.preventDefault();
      addFiles(f);
    }
  });
}
