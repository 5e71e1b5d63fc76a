package io.kubevirt.metrics.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Text-format bodies nobody on the team would write: lines put together from the tokens where
 * parsers differ (numbers, timestamps, blanks, escapes, label sets, metadata, line ends), then
 * mutated byte by byte. From one seed, always the same bodies.
 */
public final class OddBodies {
    private static final String[] NAMES = {"a", "kubevirt_vmi_x", "job:rate:5m", "_x", "a1", "a_total"};
    private static final String[] LABELS = {"", "{}", "{x=\"1\"}", "{ x = \"1\" , }", "{x=\"1\" y=\"2\"}",
        "{x=\"a\\\"b\"}", "{x=\"\\t\"}", "{x=\"1\n2\"}", "{x=\"é\"}", "{__name__=\"b\"}", "{x=\"1\",x=\"2\"}",
        "{1x=\"1\"}", "{x=1}", "{x=\"1\"", "{x=\"1\",,y=\"2\"}", "{,x=\"1\"}", "{x=\"\"}", "{x=\"\\\\\"}",
        "{\"x\"=\"1\"}", " {x=\"1\"}"};
    private static final String[] BLANKS = {" ", " ", " ", "\t", "  ", ""};
    private static final String[] VALUES = {"1", "-1", "1.5e3", ".5", "5.", "+Inf", "-inf", "NaN", "nan",
        "Infinity", "0x1p-3", "0X1P3", "1_000", "1e309", "1e-400", "+nan", "1d", "0x10", "007", "1E5", "+1",
        "\u22121", "inf", "-Infinity", "1.7976931348623157e308", "4.9e-324", "1e", "1..2", ""};
    private static final String[] TIMESTAMPS = {"", "", "", "123", "-5", "+5", "99999999999999999999",
        "9223372036854775807", "1.5", "0", "0x10", "1e3"};
    private static final String[] ENDS = {"", "", " ", "\t", "\r", " # comment", " 2", "{", "}"};
    private static final String[] COMMENTS = {"# HELP a text", "# HELP a  two blanks", "# HELP a",
        "# HELP a \\\\ and \\n", "# TYPE a counter", "# TYPE a gauge", "# TYPE a  counter", "# TYPE a counter ",
        "# TYPE a info", "# TYPE a\tcounter", "# TYPE a{counter", "#HELP a x", "# random words", "#", "",
        "   ", "\u0000junk", "# TYPE a untyped", "# HELP", "# HELP ", "# EOF", "# TYPE a_total counter"};
    private static final byte[] MUTATIONS = " \t\n{}\",=#\\\r\u0000x1.-+e_".getBytes(StandardCharsets.UTF_8);

    private OddBodies() {
    }

    /** {@code count} bodies from {@code seed}. */
    public static List<byte[]> generate(long seed, int count) {
        Random random = new Random(seed);
        List<byte[]> bodies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            bodies.add(body(random));
        }
        return bodies;
    }

    private static byte[] body(Random random) {
        StringBuilder text = new StringBuilder();
        int lines = 1 + random.nextInt(5);
        for (int l = 0; l < lines; l++) {
            if (random.nextInt(4) == 0) {
                text.append(pick(random, COMMENTS));
            } else {
                text.append(random.nextInt(5) == 0 ? pick(random, BLANKS) : "").append(pick(random, NAMES))
                        .append(pick(random, LABELS)).append(pick(random, BLANKS)).append(pick(random, VALUES));
                String timestamp = pick(random, TIMESTAMPS);
                if (!timestamp.isEmpty()) {
                    text.append(pick(random, BLANKS)).append(timestamp);
                }
                text.append(random.nextInt(3) == 0 ? pick(random, ENDS) : "");
            }
            text.append('\n');
        }
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        int mutations = random.nextInt(3) == 0 ? 1 + random.nextInt(3) : 0;
        for (int m = 0; m < mutations && body.length > 0; m++) {
            body = mutate(random, body);
        }
        return body;
    }

    /** Inserts a byte after one, deletes one or replaces one. */
    private static byte[] mutate(Random random, byte[] body) {
        int at = random.nextInt(body.length);
        int kind = random.nextInt(3);
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 1);
        out.write(body, 0, at);
        if (kind == 0) {
            out.write(body[at]);
        }
        if (kind != 1) {
            out.write(MUTATIONS[random.nextInt(MUTATIONS.length)]);
        }
        out.write(body, at + 1, body.length - at - 1);
        return out.toByteArray();
    }

    private static String pick(Random random, String[] options) {
        return options[random.nextInt(options.length)];
    }
}
