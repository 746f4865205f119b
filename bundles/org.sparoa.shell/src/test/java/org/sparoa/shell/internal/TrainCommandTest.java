package org.sparoa.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class TrainCommandTest {

    @Test
    void optionsAfterTheNameAreToldApartFromTheTrainablesArguments() {
        List<String> positional = new ArrayList<>();
        Map<String, String> options = TrainCommand.trailingOptions(
                List.of("det.onnx", "--episodes", "300", "cls.onnx", "--seed=7", "--leave-model-out"), positional);
        assertEquals(List.of("det.onnx", "cls.onnx"), positional);
        assertEquals(Map.of("episodes", "300", "seed", "7", "leave-model-out", "true"), options);
    }

    @Test
    void anOptionWithoutItsValueIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainCommand.trailingOptions(List.of("--data"), new ArrayList<>()));
        assertTrue(e.getMessage().contains("--data needs a value"), e.getMessage());
    }

    /**
     * Ten epochs of 44 steps, 10 s each: in the eleventh, one step in, the estimate is the epoch's own pace (10 s
     * left), not the whole run's 100 s over one step (4,300 s), while the elapsed time counts from the start.
     */
    @Test
    void theEstimateOfARepeatingStageFollowsThatStagesOwnPace() {
        long[] now = {0};
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        TrainCommand.ProgressLine line = new TrainCommand.ProgressLine(
                new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8), () -> now[0]);
        long step = 10_000_000_000L / 44;
        for (int epoch = 1; epoch <= 10; epoch++) {
            for (int done = 1; done <= 44; done++) {
                now[0] += step;
                line.progress(done, 44, "epoch " + epoch);
            }
        }
        now[0] += step;
        line.progress(1, 44, "epoch 11");
        String out = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        String last = out.substring(out.lastIndexOf('\r') + 1);
        assertTrue(last.contains("1/44 (100 s, ~10 s left)"), last);
    }
}
