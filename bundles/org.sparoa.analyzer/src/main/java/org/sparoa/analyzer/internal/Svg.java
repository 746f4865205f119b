package org.sparoa.analyzer.internal;

import java.util.Locale;

/** A minimal SVG writer: the few elements the quadrant plot needs, with text escaped. */
final class Svg {
    private final StringBuilder sb = new StringBuilder();

    Svg(int width, int height) {
        sb.append(String.format(Locale.ROOT, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
                + "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, "
                + "sans-serif\">\n", width, height, width, height));
    }

    void raw(String element) {
        sb.append(element).append('\n');
    }

    void rect(double x, double y, double w, double h, String fill) {
        rect(x, y, w, h, fill, null);
    }

    void rect(double x, double y, double w, double h, String fill, String stroke) {
        if (w <= 0 || h <= 0) {
            return;
        }
        raw(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"%s/>",
                x, y, w, h, fill, stroke == null ? "" : " stroke=\"" + stroke + "\""));
    }

    void line(double x1, double y1, double x2, double y2, String stroke, double width, String dash) {
        raw(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                + "stroke-width=\"%.1f\"%s/>", x1, y1, x2, y2, stroke, width,
                dash == null ? "" : " stroke-dasharray=\"" + dash + "\""));
    }

    void text(double x, double y, String anchor, int size, String fill, String text) {
        raw(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" fill=\"%s\">%s"
                + "</text>", x, y, anchor, size, fill, escape(text)));
    }

    void boldText(double x, double y, String anchor, String fill, String text) {
        raw(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"13\" "
                + "font-weight=\"bold\" fill=\"%s\">%s</text>", x, y, anchor, fill, escape(text)));
    }

    String finish() {
        return sb.append("</svg>\n").toString();
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n') {
                        out.append(' ');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
