package io.kubevirt.metrics.gateway.merge;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte buffer that the merger writes the exposition into. Not thread safe. */
public final class ByteSink {
    private static final byte[] DIGITS = "0123456789".getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes;
    private int size;

    public ByteSink(int initialCapacity) {
        bytes = new byte[Math.max(16, initialCapacity)];
    }

    /** An empty sink that writes into {@code array} (and grows out of it when it must). */
    public static ByteSink reusing(byte[] array) {
        ByteSink sink = new ByteSink(0);
        sink.bytes = array;
        return sink;
    }

    public int size() {
        return size;
    }

    /** The backing array; valid up to {@link #size()} until the next write. */
    public byte[] array() {
        return bytes;
    }

    /** Forgets everything written after {@code newSize}. */
    public void truncate(int newSize) {
        size = newSize;
    }

    /** Counts {@code n} bytes that were written straight into {@link #array()} after {@link #size()}. */
    public void commit(int n) {
        size += n;
    }

    /** Room left in the backing array after {@link #size()}. */
    public int room() {
        return bytes.length - size;
    }

    /** Makes room for {@code n} more bytes at once (capped at the largest array). */
    public void reserve(long n) {
        ensure((int) Math.min(n, Integer.MAX_VALUE - 16 - size));
    }

    public void write(byte b) {
        ensure(1);
        bytes[size++] = b;
    }

    public void write(byte[] src) {
        write(src, 0, src.length);
    }

    public void write(byte[] src, int from, int to) {
        int n = to - from;
        ensure(n);
        System.arraycopy(src, from, bytes, size, n);
        size += n;
    }

    /** Writes a string as UTF-8. */
    public void write(String s) {
        write(s.getBytes(StandardCharsets.UTF_8));
    }

    public void writeLong(long value) {
        if (value == Long.MIN_VALUE) {
            write(Long.toString(value));
            return;
        }
        ensure(20);
        if (value < 0) {
            bytes[size++] = '-';
            value = -value;
        }
        int start = size;
        do {
            bytes[size++] = DIGITS[(int) (value % 10)];
            value /= 10;
        } while (value != 0);
        for (int i = start, j = size - 1; i < j; i++, j--) {
            byte t = bytes[i];
            bytes[i] = bytes[j];
            bytes[j] = t;
        }
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    @Override
    public String toString() {
        return new String(bytes, 0, size, StandardCharsets.UTF_8);
    }

    private void ensure(int n) {
        if (size + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
        }
    }
}
