package org.sparoa.serving.internal;

import java.math.BigDecimal;
import java.math.BigInteger;

import com.google.gson.JsonElement;

/**
 * Whole numbers out of JSON, exactly: Gson's {@code getAsLong} truncates {@code 1.5} to 1 and wraps
 * {@code 18446744073709551617} to 1, and working out {@code 1e999999999} exactly would take a very long time.
 */
final class JsonNumbers {
    /** More digits than any 64-bit integer has, with room for a sign and an exponent. */
    private static final int MAX_TEXT = 64;
    private static final int MAX_DIGITS = 20;

    private JsonNumbers() {
    }

    /** The element as an exact integer, or null when it is not a JSON number with a whole value of at most 20 digits. */
    static BigInteger integer(JsonElement e) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            return null;
        }
        String text = e.getAsJsonPrimitive().getAsString();
        if (text.length() > MAX_TEXT) {
            return null;
        }
        BigDecimal d;
        try {
            d = new BigDecimal(text).stripTrailingZeros();
        } catch (NumberFormatException ex) {
            return null; // NaN, Infinity (lenient JSON) or an exponent beyond int
        }
        if (d.signum() == 0) {
            return BigInteger.ZERO;
        }
        if (d.scale() > 0 || d.precision() - (long) d.scale() > MAX_DIGITS) {
            return null; // a fraction, or too large for any tensor element or dimension
        }
        return d.toBigIntegerExact();
    }

    /** The element as a long in {@code [min, max]}, or null. */
    static Long inRange(JsonElement e, long min, long max) {
        BigInteger v = integer(e);
        if (v == null || v.bitLength() > 63) {
            return null;
        }
        long x = v.longValue();
        return x < min || x > max ? null : x;
    }
}
