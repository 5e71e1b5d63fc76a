package io.kubevirt.metrics.gateway.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.parse.ParseException;
import io.kubevirt.metrics.gateway.relabel.RelabelRules;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IndexSparesTest {
    private static final SeriesLabeling LABELING = new SeriesLabeling(TargetLabels.of(Map.of("pod", "p")), true,
            RelabelRules.NONE);

    /** Samples {@code from} to {@code to - 1}, each with labels of its own, some written compactly, some not. */
    private static String body(int from, int to) {
        StringBuilder body = new StringBuilder("# TYPE m gauge\n");
        for (int i = from; i < to; i++) {
            body.append(i % 3 == 0 ? "m{ i=\"" : "m{i=\"").append(i).append("\",c=\"").append(i % 7).append("\"} ")
                    .append(i).append('\n');
        }
        return body.toString();
    }

    private static TargetExposition read(String body, int lastSamples, IndexSpares.Spare spare) throws ParseException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return TargetExpositionReader.read(b, b.length, ExpositionFormat.TEXT, LABELING, lastSamples, spare);
    }

    private static String merged(TargetExposition exposition) {
        ByteSink out = new ByteSink(256);
        Merger.merge(List.of(new Merger.Source("target", exposition))).write(ExpositionFormat.TEXT, out);
        return out.toString();
    }

    /**
     * A read into the arrays of an earlier one, which held more and other samples, merges exactly
     * as a read into new arrays: nothing of the earlier samples is read.
     */
    @Test
    void aReadIntoSpareArraysKeepsNothingOfTheirLastSamples() throws ParseException {
        IndexSpares spares = new IndexSpares();
        TargetExposition earlier = read(body(1000, 1100), -1, null);
        spares.recycle("target", earlier);
        String now = body(0, 90);
        TargetExposition reused = read(now, 100, spares.take("target"));
        assertTrue(reused.samples == earlier.samples && reused.targetMasks == earlier.targetMasks
                && reused.hashes == earlier.hashes, "the earlier read's arrays");
        TargetExposition fresh = read(now, 100, null);
        assertEquals(merged(fresh), merged(reused));
        assertEquals(fresh.seriesHash(89), reused.seriesHash(89));
        assertTrue(merged(reused).contains("m{i=\"89\",c=\"5\",pod=\"p\"} 89\n"), merged(reused));
    }

    /** Arrays far bigger than the read needs, or too small for it, are not used (and are let go). */
    @Test
    void usesSpareArraysOnlyOfAboutTheSizeNeeded() throws ParseException {
        IndexSpares spares = new IndexSpares();
        TargetExposition big = read(body(0, 1000), 1000, null);
        spares.recycle("target", big);
        TargetExposition small = read(body(0, 10), 10, spares.take("target"));
        assertFalse(small.targetMasks == big.targetMasks, "a spare for 1000 samples serves no read of 10");
        assertNull(spares.take("target"), "taken, whether used or not");
        spares.recycle("target", small);
        TargetExposition grown = read(body(0, 1000), 1000, spares.take("target"));
        assertFalse(grown.targetMasks == small.targetMasks);
        assertEquals(merged(read(body(0, 1000), -1, null)), merged(grown));
    }

    @Test
    void keepsSparesOfEachTargetApartAndForgetsTargetsThatAreGone() throws ParseException {
        IndexSpares spares = new IndexSpares();
        spares.recycle("a", read(body(0, 10), -1, null));
        spares.recycle("b", read(body(0, 10), -1, null));
        assertNull(spares.take("c"));
        spares.retain(List.of("b"));
        assertNull(spares.take("a"));
        assertTrue(spares.take("b") != null);
        assertNull(spares.take("b"), "a spare is taken once");
    }
}
