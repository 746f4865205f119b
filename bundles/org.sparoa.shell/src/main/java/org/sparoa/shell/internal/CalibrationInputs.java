package org.sparoa.shell.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Tensor;
import org.sparoa.onnx.TensorProtoIO;

/**
 * Calibration input sets from repeated {@code --input name=file.pb}: the k-th file given for a name goes into set k,
 * so {@code --input x=a.pb --input x=b.pb} makes two calibration inputs. A set that lacks an input gets a random one.
 */
final class CalibrationInputs {
    private CalibrationInputs() {
    }

    static List<Map<String, Tensor>> parse(List<String> specs) {
        List<Map<String, Tensor>> sets = new ArrayList<>();
        if (specs == null) {
            return sets;
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new InvalidInputException("--input '" + spec + "' must look like name=file.pb");
            }
            String name = spec.substring(0, eq);
            Path file = Path.of(spec.substring(eq + 1));
            if (!Files.isRegularFile(file)) {
                throw new InvalidInputException("--input " + name + ": no such file " + file);
            }
            int k = seen.merge(name, 1, Integer::sum) - 1;
            while (sets.size() <= k) {
                sets.add(new LinkedHashMap<>());
            }
            sets.get(k).put(name, TensorProtoIO.read(file).tensor());
        }
        return sets;
    }
}
