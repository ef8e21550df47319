// The widget's styles, isolated in its shadow root (view.js). One string, as the page sees it.

export const STYLE = `
:host{all:initial}*,::before,::after{box-sizing:border-box}[hidden]{display:none!important}
.root{--a:#4f46e5;--on:#fff;--grey:#f1f3f6;--text:#1b1f27;--muted:#5d6472;--line:#e3e6eb;--bad:#be123c;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--text);text-align:left;-webkit-font-smoothing:antialiased}
button{font:inherit;color:inherit;cursor:pointer;border:0;background:none;padding:0}
:focus-visible{outline:3px solid var(--ring,var(--a));outline-offset:2px}
svg{width:22px;height:22px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round;flex:none}
.launcher{position:fixed;bottom:20px;right:20px;z-index:2147483000;width:60px;height:60px;border-radius:50%;background:var(--a);color:var(--on);
display:grid;place-items:center;box-shadow:0 6px 20px rgba(15,23,42,.25),0 2px 6px rgba(15,23,42,.15);transition:transform .18s}
.launcher:hover{transform:scale(1.06)}.launcher:focus-visible{outline-offset:4px}.launcher svg{width:28px;height:28px}
.launcher .x,.launcher[aria-expanded=true] .chat{display:none}.launcher[aria-expanded=true] .x{display:block}
.badge{position:absolute;top:-3px;right:-3px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#e11d48;color:#fff;
font-size:12px;font-weight:700;line-height:18px;text-align:center;border:2px solid #fff}
.panel{position:fixed;bottom:92px;right:20px;z-index:2147483001;width:380px;height:600px;max-height:calc(100vh - 112px);max-width:calc(100vw - 40px);
display:flex;flex-direction:column;background:#fff;border-radius:18px;overflow:hidden;
box-shadow:0 18px 50px rgba(15,23,42,.22),0 4px 14px rgba(15,23,42,.12);opacity:0;transform:translateY(14px) scale(.98);
transform-origin:bottom right;transition:opacity .2s,transform .2s}
.panel.open{opacity:1;transform:none}
.left .launcher,.left .panel{right:auto;left:20px}.left .panel{transform-origin:bottom left}.left .badge{right:auto;left:-3px}
header{background:var(--a);color:var(--on);padding:16px 12px 16px 18px;display:flex;align-items:center;gap:12px;flex:none}
.avatar{width:38px;height:38px;border-radius:50%;background:rgba(255,255,255,.22);display:grid;place-items:center;font-weight:700;font-size:17px;flex:none}
.ht{flex:1;min-width:0}h2{margin:0;font-size:17px;font-weight:650;line-height:1.25;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.sub{font-size:13px;opacity:.9}
.min{width:36px;height:36px;border-radius:10px;display:grid;place-items:center}.min:hover{background:rgba(255,255,255,.16)}
.min:focus-visible{outline-color:var(--on);outline-offset:-3px}
.body{flex:1;min-height:0;overflow-y:auto;overscroll-behavior:contain;padding:12px 14px 8px}
ol{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:10px}
li{display:flex;flex-direction:column;align-items:flex-start}li[data-sender=contact]{align-items:flex-end}
.name{font-size:12px;color:var(--muted);margin:0 0 3px 12px;font-weight:600}
.bubble{max-width:82%;padding:9px 13px;border-radius:18px 18px 18px 6px;background:var(--grey);white-space:pre-wrap;overflow-wrap:anywhere}
[data-sender=contact] .bubble{background:var(--a);color:var(--on);border-radius:18px 18px 6px 18px}
.bubble.media{padding:0;background:none}
[data-pending=true] .bubble{opacity:.6}[data-failed=true] .bubble{opacity:.7}
.att{display:block;margin-top:6px;color:inherit}.att:first-child{margin-top:0}
.att img{display:block;max-width:100%;max-height:240px;min-width:96px;min-height:96px;object-fit:contain;image-rendering:auto;border-radius:12px;background:var(--grey)}
.file{display:flex;align-items:center;gap:8px;padding:8px 10px;border-radius:12px;background:rgba(127,127,127,.14);text-decoration:none}
.file b{font-weight:600;overflow-wrap:anywhere}.file small{opacity:.8;white-space:nowrap}
time,.meta{font-size:11px;color:var(--muted);margin:3px 8px 0}
.err{font-size:12.5px;color:var(--bad);margin:4px 6px 0;display:flex;gap:8px;align-items:baseline;flex-wrap:wrap;justify-content:flex-end;max-width:90%;text-align:right}
.retry{font-weight:600;text-decoration:underline;color:var(--bad);border-radius:4px}
li.notice{align-items:center}.rating{display:flex;gap:6px;justify-content:center;margin-top:4px}.rate{min-width:32px;height:32px;border-radius:16px;border:1px solid var(--line);background:#fff;cursor:pointer;font:inherit}.rate[aria-pressed=true]{background:var(--a);color:#fff;border-color:transparent}.rated{margin:4px 0 0;font-size:12px;color:var(--muted);text-align:center}.notice .bubble{background:none;padding:0 10px;font-size:12.5px;color:var(--muted);text-align:center;max-width:100%}
.typing{display:none;align-items:center;gap:8px;padding:2px 16px 6px;font-size:12.5px;color:var(--muted)}.typing.on{display:flex}
.dots{display:inline-flex;gap:3px}.dots i{width:6px;height:6px;border-radius:50%;background:var(--muted);animation:b 1.2s infinite}
.dots i:nth-child(2){animation-delay:.15s}.dots i:nth-child(3){animation-delay:.3s}
@keyframes b{0%,60%,100%{opacity:.35}30%{transform:translateY(-3px);opacity:1}}
.status:not(:empty){font-size:12.5px;text-align:center;padding:6px 12px;background:#fff7ed;color:#9a3412}
.alert{margin:12px 14px;padding:12px 14px;border-radius:12px;background:#fff1f2;color:#9f1239;font-size:14px}
form{display:flex;align-items:flex-end;gap:6px;padding:10px 10px 10px 12px;border-top:1px solid var(--line)}
textarea{flex:1;resize:none;border:1px solid var(--line);border-radius:14px;padding:9px 12px;font:inherit;color:var(--text);background:#fff;
min-height:40px;max-height:132px;line-height:1.4;overflow-y:auto}
textarea:focus{outline:none;border-color:var(--ring,var(--a));box-shadow:0 0 0 1px var(--ring,var(--a))}textarea:disabled{background:var(--grey)}
.cbtn{width:40px;height:40px;border-radius:12px;display:grid;place-items:center;color:var(--muted)}
.cbtn:hover:not(:disabled){background:var(--grey);color:var(--text)}
.send,.send:hover:not(:disabled){background:var(--a);color:var(--on)}.cbtn:disabled{opacity:.45;cursor:default}
.counter{font-size:11.5px;color:var(--muted);text-align:right;padding:0 14px 6px}.counter.over{color:var(--bad);font-weight:600}
.foot{font-size:11px;color:#6b7280;text-align:center;padding:0 0 8px}
.panel>:not(.body){flex:none}
@media (max-width:480px){
.panel,.left .panel{inset:0;width:auto;height:100vh;height:100dvh;max-height:none;max-width:none;border-radius:0;
padding:0 env(safe-area-inset-right) env(safe-area-inset-bottom) env(safe-area-inset-left)}
header{padding-top:calc(14px + env(safe-area-inset-top))}textarea{font-size:16px}
.launcher{bottom:calc(16px + env(safe-area-inset-bottom));right:calc(16px + env(safe-area-inset-right))}
.left .launcher{left:calc(16px + env(safe-area-inset-left))}.launcher[aria-expanded=true]{display:none}}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}
@media (forced-colors:active){.bubble,.launcher,.send{border:1px solid CanvasText}}`;
