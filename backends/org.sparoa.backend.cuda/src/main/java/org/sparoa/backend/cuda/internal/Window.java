package org.sparoa.backend.cuda.internal;

import org.sparoa.api.Node;

/** A 2-D convolution or pooling window: kernel, strides, dilations, pads (begin/end) and auto_pad resolved. */
record Window(long kh, long kw, long sh, long sw, long dh, long dw, long padTop, long padLeft, long padBottom,
              long padRight, long oh, long ow) {

    static Window of(Node node, long h, long w, long kh, long kw, boolean ceil) {
        return of(node, h, w, kh, kw, ceil, 0, 0, 0, 0);
    }

    /** As {@link #of(Node, long, long, long, long, boolean)} with a zero border added to the node's pads (a folded Pad). */
    static Window of(Node node, long h, long w, long kh, long kw, boolean ceil, long extraTop, long extraLeft,
                     long extraBottom, long extraRight) {
        long[] s = node.attrLongs("strides", new long[] {1, 1});
        long[] d = node.attrLongs("dilations", new long[] {1, 1});
        long[] p = node.attrLongs("pads", new long[] {0, 0, 0, 0});
        if (s.length != 2 || d.length != 2 || p.length != 4) {
            throw new IllegalArgumentException("only 2-D windows are implemented");
        }
        String auto = node.attrString("auto_pad", "NOTSET");
        long pt = p[0];
        long pl = p[1];
        long pb = p[2];
        long pr = p[3];
        if (auto.equals("VALID")) {
            pt = pl = pb = pr = 0;
        } else if (auto.startsWith("SAME")) {
            long[] ph = same(h, kh, s[0], d[0], auto.equals("SAME_LOWER"));
            long[] pw = same(w, kw, s[1], d[1], auto.equals("SAME_LOWER"));
            pt = ph[0];
            pb = ph[1];
            pl = pw[0];
            pr = pw[1];
        }
        pt += extraTop;
        pl += extraLeft;
        pb += extraBottom;
        pr += extraRight;
        long oh = ShapeRules.windowOutput(h, kh, s[0], pt, pb, d[0], ceil);
        long ow = ShapeRules.windowOutput(w, kw, s[1], pl, pr, d[1], ceil);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("window " + kh + "x" + kw + " leaves no output of a " + h + "x" + w + " input");
        }
        return new Window(kh, kw, s[0], s[1], d[0], d[1], pt, pl, pb, pr, oh, ow);
    }

    /** SAME padding: output = ceil(in / stride), the odd pad at the end (upper) or the beginning (lower). */
    private static long[] same(long in, long k, long stride, long dil, boolean lower) {
        long out = (in + stride - 1) / stride;
        long total = Math.max(0, (out - 1) * stride + (k - 1) * dil + 1 - in);
        long small = total / 2;
        long big = total - small;
        return lower ? new long[] {big, small} : new long[] {small, big};
    }

    boolean pointwise() {
        return kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && padBottom == 0 && padRight == 0;
    }
}
