// The layout problems a person would see at this width, as sentences (empty when none). See layout.py.
() => {
  const problems = [];
  const width = window.innerWidth;
  const doc = document.documentElement;
  if (doc.scrollWidth > width + 1) problems.push(`the page scrolls sideways: ${doc.scrollWidth}px wide in ${width}px`);

  // The background a piece of text is painted on: the first ancestor with a colour or an image. A sidebar
  // gradient ("#1f2933 216px, transparent 216px") paints dark only left of its stop.
  const parse = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const readable = (el, name) => {
    const rect = el.getBoundingClientRect();
    if (!rect.width) return;
    if (rect.left < -1 || rect.right > width + 1) problems.push(`${name} is cut off (${Math.round(rect.left)}..${Math.round(rect.right)})`);
    for (let node = el; node && node !== document; node = node.parentElement) {
      const style = getComputedStyle(node);
      const stop = style.backgroundImage.match(/gradient\(.*?(\d+)px/);
      if (stop && rect.left < Number(stop[1]) + window.scrollX) { problems.push(`${name} sits on the dark sidebar band`); return; }
      const bg = parse(style.backgroundColor);
      if (bg.length >= 3 && (bg.length < 4 || bg[3] > 0.5)) {
        const fg = parse(getComputedStyle(el).color);
        const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
        const ratio = (a + 0.05) / (b + 0.05);
        if (ratio < 4.5) problems.push(`${name} has contrast ${ratio.toFixed(1)}:1`);
        return;
      }
    }
  };
  document.querySelectorAll("main h1, main .tabs a[aria-current]").forEach((el, i) => readable(el, `"${el.textContent.trim().slice(0, 30)}"`));

  // Every visible action inside the content lies inside the viewport's width (none clipped by a scrolling box).
  document.querySelectorAll("main a.btn, main button, main summary, main input[type=submit]").forEach((el) => {
    const rect = el.getBoundingClientRect();
    if (!rect.width || getComputedStyle(el).visibility === "hidden" || el.closest("details:not([open]) > :not(summary)")) return;
    if (rect.left < -1 || rect.right > width + 1) problems.push(`action "${(el.textContent || el.value).trim().slice(0, 30)}" is out of reach (${Math.round(rect.left)}..${Math.round(rect.right)})`);
  });
  return problems;
}
