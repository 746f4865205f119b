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
}
