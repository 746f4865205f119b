package org.sparoa.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.sparoa.predictor.DatasetFile;
import org.sparoa.predictor.DatasetRecord;
import org.sparoa.predictor.Evaluation;
import org.sparoa.predictor.PredictorFile;
import org.sparoa.predictor.SizeBands;

/**
 * The threshold predictor's size bands ({@link SizeBands}) judged and shipped without training a network again.
 *
 * <p>{@code --data DS --decisions CSV}: leave-model-out, per real model of the data set: the bands learnt from the
 * other models' lines decide that model's operators of the kinds they cover, and the network's own decisions on it, as a
 * leave-model-out run wrote them ({@code PredictorTraining ... --decisions CSV}, gzipped or not: the network of
 * that fold, never trained on the model), decide the rest. Prints per fold the non-tie sparsity accuracy of the
 * network alone, of the bands where they decide, and of both together. The same split as {@code sparoa:train predictor --leave-model-out},
 * which now scores the predictor with its bands, in seconds instead of the networks' training time.
 *
 * <p>{@code --add-to MODEL --data DS --out FILE [--version N]}: {@code MODEL} (a predictor file) with bands learnt
 * from the whole data set, as the next version (or version {@code N}), written to {@code FILE}: how the shipped
 * default got its bands.
 */
public final class PredictorSizeBands {
    private PredictorSizeBands() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        if (!a.containsKey("--data") || !(a.containsKey("--decisions") || a.containsKey("--add-to"))) {
            throw new IllegalArgumentException("usage: --data DS (--decisions CSV | --add-to MODEL --out FILE"
                    + " [--version N])");
        }
        List<DatasetRecord> records = DatasetFile.read(Path.of(a.get("--data")));
        if (a.containsKey("--add-to")) {
            Path out = Path.of(a.get("--out"));
            PredictorFile model = PredictorFile.read(Path.of(a.get("--add-to")));
            SizeBands bands = SizeBands.fit(records);
            long version = a.containsKey("--version") ? Long.parseLong(a.get("--version")) : model.version() + 1;
            PredictorFile with = model.withSizeBands(bands, version, model.trainedWith()
                    + "; size bands from " + Path.of(a.get("--data")).getFileName());
            long bytes = with.write(out);
            System.out.println("wrote " + out + ": " + bytes + " bytes, version " + with.version() + ", "
                    + bands.rules().size() + " size rules");
            bands.rules().forEach((k, b) -> System.out.printf(Locale.ROOT,
                    "  %-60s %-80s %4d of %4d training pairs%n", k, b.describe(), b.correct(),
                    b.pairs()));
            return;
        }
        Map<String, Boolean> network = networkDecisions(Path.of(a.get("--decisions")));
        System.out.println("model left out      non-tie pairs   network alone   bands decide (right)"
                + "   network + bands");
        int[] total = new int[5]; // pairs, network right, banded, band right, both right
        for (Evaluation.HeldOut held : Evaluation.heldOut(records)) {
            SizeBands bands = SizeBands.fit(held.train());
            int pairs = 0;
            int networkRight = 0;
            int banded = 0;
            int bandRight = 0;
            int bothRight = 0;
            for (DatasetRecord r : held.test()) {
                if (r.simulated() || r.gpuPair()) {
                    continue;
                }
                for (int j = 0; j < r.levels().length; j++) {
                    double band = bands.threshold(r.featuresAt(j), r.pair().id());
                    Boolean wins = r.sparseWins(j);
                    if (wins == null || !Boolean.FALSE.equals(r.tieAt(j))) {
                        continue;
                    }
                    Boolean net = network.get(key(r.model(), r.index(), r.levels()[j]));
                    if (net == null) {
                        throw new IllegalArgumentException(a.get("--decisions") + " has no decision for "
                                + r.model() + " operator " + r.index() + " at " + r.levels()[j]
                                + ": not the leave-model-out run of this data set");
                    }
                    pairs++;
                    networkRight += net ? 1 : 0;
                    if (Double.isNaN(band)) {
                        bothRight += net ? 1 : 0;
                    } else {
                        boolean right = (r.policySparsity()[j] >= band) == wins;
                        banded++;
                        bandRight += right ? 1 : 0;
                        bothRight += right ? 1 : 0;
                    }
                }
            }
            total[0] += pairs;
            total[1] += networkRight;
            total[2] += banded;
            total[3] += bandRight;
            total[4] += bothRight;
            System.out.printf(Locale.ROOT, "%-20s %13d %14.1f %% %12d (%5.1f %%) %15.1f %%%n", held.model(), pairs,
                    pct(networkRight, pairs), banded, pct(bandRight, banded), pct(bothRight, pairs));
        }
        System.out.printf(Locale.ROOT, "%-20s %13d %14.1f %% %12d (%5.1f %%) %15.1f %%%n", "all folds", total[0],
                pct(total[1], total[0]), total[2], pct(total[3], total[2]), pct(total[4], total[0]));
    }

    /** Per (model, operator index, level): whether the network decided the pair right. */
    private static Map<String, Boolean> networkDecisions(Path csv) throws IOException {
        Map<String, Boolean> out = new LinkedHashMap<>();
        List<String> lines;
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
                csv.toString().endsWith(".gz") ? new java.util.zip.GZIPInputStream(Files.newInputStream(csv))
                        : Files.newInputStream(csv), java.nio.charset.StandardCharsets.UTF_8))) {
            lines = r.lines().toList();
        }
        String[] header = lines.get(0).split(",");
        int model = column(header, "model");
        int index = column(header, "index");
        int level = column(header, "level");
        int right = column(header, "right");
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            out.put(key(f[model], Integer.parseInt(f[index]), Double.parseDouble(f[level])),
                    Boolean.parseBoolean(f[right]));
        }
        return out;
    }

    private static int column(String[] header, String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("the decisions file has no column '" + name + "'");
    }

    private static String key(String model, int index, double level) {
        return model + "|" + index + "|" + String.format(Locale.ROOT, "%.2f", level);
    }

    private static double pct(int n, int d) {
        return d == 0 ? Double.NaN : 100.0 * n / d;
    }
}
