package org.sparoa.serving.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.sparoa.api.InvalidInputException;
import org.sparoa.serving.core.InputChecks;

/**
 * What fuzzing the request parser found (and what reading it for the mutator showed), each as the request that
 * broke it: every one is now a 400 naming what is wrong, where before it was a 500 "internal error" or a request
 * decoded into something other than what it said.
 */
class HostileRequestTest {
    private static final InferRequestDecoder DECODER = new InferRequestDecoder(new InputChecks(16L << 20, true, KserveServlet.PID));

    /** Refused as the endpoint answers 400: its own HttpError 400, or the platform's InvalidInputException. */
    private static RuntimeException refused(String json) {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> DECODER.decode(json.getBytes(StandardCharsets.UTF_8), null));
        if (e instanceof HttpError h) {
            assertEquals(400, h.status, e.getMessage());
        } else {
            assertInstanceOf(InvalidInputException.class, e, e.toString());
        }
        return e;
    }

    private static String input(String datatype, String shape, String data) {
        return "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"" + datatype + "\",\"shape\":" + shape + ",\"data\":"
                + data + "}]}";
    }

    /** Found by BoundedRequestFuzzTest (its first run, execution 1608): an IllegalStateException, answered 500. */
    @Test
    void anIdThatIsNotAStringIsRefused() {
        String rest = ",\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}";
        assertTrue(refused("{\"id\":[\"v\",0.5]" + rest).getMessage().contains("'id' must be a string"));
        assertTrue(refused("{\"id\":{}" + rest).getMessage().contains("'id' must be a string"));
        assertTrue(refused("{\"id\":7" + rest).getMessage().contains("'id' must be a string"));
    }

    /** An UnsupportedOperationException for an object, answered 500. */
    @Test
    void anOutputsBinaryDataThatIsNotABooleanIsRefused() {
        String json = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}],"
                + "\"outputs\":[{\"name\":\"y\",\"parameters\":{\"binary_data\":{}}}]}";
        assertTrue(refused(json).getMessage().contains("output 'y': parameters.binary_data must be true or false"));
    }

    /** Decoded before: 1.5 as 1, 2^64+1 as 1, "3" as 3. */
    @Test
    void aShapeOfFractionsOverflowsOrStringsIsRefused() {
        for (String shape : new String[] {"[1.5]", "[18446744073709551617]", "[\"1\"]", "[1e400]"}) {
            assertTrue(refused(input("FP32", shape, "[1]")).getMessage().contains("must hold whole numbers"), shape);
        }
    }

    /** Worked out exactly, {@code 1e999999999} is a billion digits: refused without trying. */
    @Test
    void aDimensionWithAHugeExponentIsRefusedAtOnce() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> refused(input("FP32", "[1e999999999]", "[1]")));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> refused(input("FP32", "[1e-999999999]", "[1]")));
    }

    /** Decoded before: 300 as INT8 44, 1.5 as INT32 1, -1 as UINT8 255, "1.5" as FP32 1.5. */
    @Test
    void elementsOutOfTheirDatatypeOrNotNumbersAreRefused() {
        assertTrue(refused(input("INT8", "[1]", "[300]")).getMessage()
                .contains("element 0 (300) is not a INT8 value (a whole number from -128 to 127)"));
        assertTrue(refused(input("INT32", "[2]", "[1, 1.5]")).getMessage().contains("element 1 (1.5) is not a INT32"));
        assertTrue(refused(input("UINT8", "[1]", "[-1]")).getMessage().contains("is not a UINT8"));
        assertTrue(refused(input("FP32", "[1]", "[\"1.5\"]")).getMessage().contains("is not a FP32 value (a number)"));
        assertTrue(refused(input("BOOL", "[1]", "[2]")).getMessage().contains("is not a BOOL"));
        assertTrue(refused(input("UINT64", "[1]", "[18446744073709551616]")).getMessage().contains("is not a UINT64"));
    }

    @Test
    void theWholeRangeOfEachDatatypeIsAccepted() {
        String json = "{\"inputs\":[" + "{\"name\":\"a\",\"datatype\":\"INT8\",\"shape\":[2],\"data\":[-128,127]},"
                + "{\"name\":\"b\",\"datatype\":\"UINT64\",\"shape\":[2],\"data\":[0,18446744073709551615]},"
                + "{\"name\":\"c\",\"datatype\":\"INT64\",\"shape\":[1],\"data\":[-9223372036854775808]},"
                + "{\"name\":\"d\",\"datatype\":\"BOOL\",\"shape\":[3],\"data\":[true,0,1]},"
                + "{\"name\":\"e\",\"datatype\":\"INT32\",\"shape\":[1],\"data\":[2.0E3]}]}";
        InferRequest r = DECODER.decode(json.getBytes(StandardCharsets.UTF_8), null);
        assertEquals(-1L, r.inputs().get("b").bytes().getLong(8));
        assertEquals(Long.MIN_VALUE, r.inputs().get("c").bytes().getLong(0));
        assertEquals(2000, r.inputs().get("e").bytes().getInt(0));
        assertEquals(1, r.inputs().get("d").bytes().get(0));
    }

    /**
     * A 100-byte body whose shape claims 16 Mi FP64 elements made the decoder allocate 128 MiB before it counted the
     * data; now the elements are counted first.
     */
    @Test
    void aSmallBodyCannotMakeTheDecoderAllocateWhatItsShapeClaims() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        String json = input("FP64", "[16777216]", "[1.0, 2.0]");
        refused(json); // class loading and the JIT out of the measurement
        long before = threads.getCurrentThreadAllocatedBytes();
        RuntimeException e = refused(json);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(e.getMessage().contains("has 2 elements in 'data', its shape needs 16777216"), e.getMessage());
        assertTrue(allocated < (16L << 20), "refusing a 100-byte request allocated " + (allocated >> 20) + " MiB");
    }
}
