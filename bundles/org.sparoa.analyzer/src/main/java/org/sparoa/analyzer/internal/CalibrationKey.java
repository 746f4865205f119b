package org.sparoa.analyzer.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;

/**
 * What an analysis depends on besides the thresholds: the model content and everything that shapes the calibration
 * (runs, seed, the user's input tensors by content, input shapes, pinned backend). Equal keys give equal analyses.
 */
record CalibrationKey(String modelSha256, int runs, long seed, String inputsDigest, String shapes, String backend) {

    static CalibrationKey of(String modelSha256, int runs, AnalysisOptions options) {
        Map<String, String> shapes = new TreeMap<>();
        options.shapes().forEach((k, v) -> shapes.put(k, Shapes.format(v)));
        return new CalibrationKey(modelSha256, runs, options.seed(), digest(options), shapes.toString(),
                options.backend() == null ? "" : options.backend());
    }

    /** SHA-256 over the names, types, shapes and bytes of the user's calibration tensors, set by set. */
    private static String digest(AnalysisOptions options) {
        if (options.inputSets().isEmpty()) {
            return "";
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
        int index = 0;
        for (Map<String, Tensor> set : options.inputSets()) {
            md.update(("set " + index++ + "\n").getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, Tensor> e : new TreeMap<>(set).entrySet()) {
                Tensor t = e.getValue();
                md.update((e.getKey() + ":" + t.type() + ":" + Shapes.format(t.shape()) + "\n")
                        .getBytes(StandardCharsets.UTF_8));
                ByteBuffer b = t.bytes();
                md.update(b);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
