// The editor styles <code> as `white-space: nowrap`, so a long identifier or a code phrase in help
// text runs past the sidebar's edge. This package's help marks its summary paragraph with
// `class="nextleg-help"`, and only help holding that marker lets its code wrap.

const STYLE_ID = 'nextleg-help-style';
const RULE = '.red-ui-help:has(p.nextleg-help) code { white-space: normal; overflow-wrap: anywhere; }';

export function installHelpStyle(): void {
  if (document.getElementById(STYLE_ID)) return;
  const style = document.createElement('style');
  style.id = STYLE_ID;
  style.textContent = RULE;
  document.head.appendChild(style);
}
