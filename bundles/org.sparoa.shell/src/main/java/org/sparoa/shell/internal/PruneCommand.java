package org.sparoa.shell.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.apache.karaf.shell.support.table.ShellTable;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.UnknownModelException;
import org.sparoa.onnx.MagnitudePruner;
import org.sparoa.onnx.MagnitudePruner.PrunedWeight;
import org.sparoa.onnx.MagnitudePruner.Result;
import org.sparoa.onnx.MagnitudePruner.Scope;

@Service
@Command(scope = "sparoa", name = "prune", description = "Magnitude-prunes the Conv/Gemm/MatMul weights of an ONNX model"
        + " to a target unstructured sparsity and writes the pruned model")
public class PruneCommand implements Action {
    @Reference(optional = true)
    ModelRegistry models;

    @Argument(index = 0, name = "model", description = "Path of an .onnx file, or a loaded model id", required = true)
    @Completion(FileCompleter.class)
    String modelRef;

    @Option(name = "--sparsity", aliases = "-s", description = "Fraction of weights to zero, in [0, 1), e.g. 0.8",
            required = true)
    double sparsity = -1;

    @Option(name = "--out", aliases = "-o", description = "File to write the pruned model to", required = true)
    @Completion(FileCompleter.class)
    String out;

    @Option(name = "--scope", description = "layer: the sparsity in every weight tensor (default);"
            + " global: over all pruned weights together, smallest magnitudes first")
    String scope = "layer";

    @Option(name = "--force", description = "Overwrite --out if it exists (a folder or a symbolic link never is)")
    boolean force;

    @Option(name = "--verbose", aliases = "-v", description = "Also list every pruned weight tensor")
    boolean verbose;

    @Option(name = "--no-format", description = "Plain output without table borders")
    boolean noFormat;

    @Override
    public Object execute() throws IOException {
        Scope s = Scope.parse(scope);
        Path file = Path.of(modelRef);
        Path target = Path.of(out);
        if (Files.isSymbolicLink(target)) {
            throw new InvalidInputException("--out " + out + " is a symbolic link; give the path of a file, not of a link");
        }
        if (Files.isDirectory(target)) {
            throw new InvalidInputException("--out " + out + " is a folder; give a file name, e.g. "
                    + target.resolve("pruned.onnx"));
        }
        if (Files.exists(target) && !force) {
            throw new InvalidInputException("--out " + out + " exists; pass --force to overwrite it");
        }
        Result r;
        if (Files.isRegularFile(file)) {
            r = MagnitudePruner.prune(file, target, sparsity, s);
        } else if (models != null && models.get(modelRef).isPresent()) {
            Model m = models.require(modelRef);
            ByteBuffer b = m.onnxBytes();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            r = MagnitudePruner.prune(bytes, sparsity, s, "model " + m.id());
            r.writeTo(target);
        } else {
            throw new UnknownModelException("no such model file or loaded model id: " + modelRef);
        }
        print(r, target, System.out);
        return null;
    }

    void print(Result r, Path target, PrintStream o) {
        if (verbose) {
            ShellTable table = new ShellTable().emptyTableText("no prunable weights");
            table.column("Weight");
            table.column("Operator");
            table.column("Op");
            table.column("Elements").alignRight();
            table.column("Zeros before").alignRight();
            table.column("Sparsity").alignRight();
            for (PrunedWeight w : r.weights()) {
                table.addRow().addContent(w.tensor(), w.operator(), w.opType(), w.elements(),
                        percent((double) w.zerosBefore() / w.elements()), percent(w.sparsity()));
            }
            table.print(o, !noFormat);
        }
        Map<String, Integer> byOp = new TreeMap<>();
        r.weights().forEach(w -> byOp.merge(w.opType(), 1, Integer::sum));
        o.println(String.format(Locale.ROOT, "Pruned %d weight tensors %s (scope %s, target %s): %d of %d weights are"
                        + " zero (%s)", r.weights().size(), byOp, r.scope().name().toLowerCase(Locale.ROOT),
                percent(r.target()), r.zeros(), r.elements(), percent(r.sparsity())));
        if (!r.skipped().isEmpty()) {
            o.println("Left alone: " + r.skipped().size() + " weight(s): " + String.join("; ", r.skipped()));
        }
        o.println("Wrote " + target.toAbsolutePath());
    }

    private static String percent(double f) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * f);
    }
}
