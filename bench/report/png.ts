import { Resvg } from '@resvg/resvg-js';

/** Renders SVG to PNG at twice its size, with the DejaVu fonts of the system. */
export function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    font: { fontDirs: ['/usr/share/fonts'], loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: '#ffffff',
  });
  return resvg.render().asPng();
}
