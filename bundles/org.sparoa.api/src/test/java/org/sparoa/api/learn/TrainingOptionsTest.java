package org.sparoa.api.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class TrainingOptionsTest {
    @Test
    void readsGivenValuesAndFallsBackToDefaults() {
        Map<String, String> o = Map.of("episodes", " 250 ", "seed", "-7");
        assertEquals(250, TrainingOptions.intOption(o, "episodes", 2000, 1));
        assertEquals(-7L, TrainingOptions.longOption(o, "seed", 42));
        assertEquals(10, TrainingOptions.intOption(o, "minutes", 10, 1));
        assertEquals(42L, TrainingOptions.longOption(o, "other", 42));
    }

    @Test
    void refusalsNameTheOptionAndTheValue() {
        IllegalArgumentException notNumber = assertThrows(IllegalArgumentException.class,
                () -> TrainingOptions.intOption(Map.of("episodes", "many"), "episodes", 1, 1));
        assertEquals("option --episodes must be an integer, got 'many'", notNumber.getMessage());
        IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
                () -> TrainingOptions.intOption(Map.of("minutes", "0"), "minutes", 10, 1));
        assertTrue(tooSmall.getMessage().startsWith("option --minutes must be an integer from 1 to"),
                tooSmall.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> TrainingOptions.intOption(Map.of("epochs", "3000000000"), "epochs", 1, 0));
    }
}
