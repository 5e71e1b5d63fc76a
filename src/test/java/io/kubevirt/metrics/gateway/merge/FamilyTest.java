package io.kubevirt.metrics.gateway.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubevirt.metrics.gateway.parse.MetricType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FamilyTest {

    private static List<Integer> samples(Family family) {
        List<Integer> samples = new ArrayList<>();
        for (int i = 0; i < family.size(); i++) {
            samples.add(family.sample(i));
        }
        return samples;
    }

    /** Consecutive samples, then others after a gap (a family split in its body): every one, in order. */
    @Test
    void keepsItsSamplesInOrderWhetherConsecutiveOrNot() {
        for (int consecutive = 0; consecutive < 20; consecutive++) {
            Family family = new Family("m", MetricType.GAUGE, "m", MetricType.GAUGE);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < consecutive; i++) {
                family.add(5 + i);
                expected.add(5 + i);
            }
            assertEquals(expected, samples(family));
            for (int sample = 100; sample < 140; sample += 1 + sample % 3) {
                family.add(sample);
                expected.add(sample);
            }
            assertEquals(expected, samples(family), consecutive + " consecutive first");
        }
    }
}
