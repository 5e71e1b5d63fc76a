package io.kubevirt.metrics.gateway.expose;

/** An answer already whole, handed out in chunks as an {@link AnswerStream.Source}. */
final class FinishedAnswer {
    private FinishedAnswer() {
    }

    static AnswerStream.Source of(byte[] answer) {
        int[] position = {0};
        return (out, limit) -> {
            int n = Math.min(answer.length - position[0], Math.max(0, limit - out.size()));
            out.write(answer, position[0], position[0] + n);
            position[0] += n;
            return position[0] < answer.length;
        };
    }
}
