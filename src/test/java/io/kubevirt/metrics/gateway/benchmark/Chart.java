package io.kubevirt.metrics.gateway.benchmark;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import javax.imageio.ImageIO;

/** Line charts for the benchmarks' write-ups: panels of named lines, two panels a row, drawn with Java2D into a PNG. */
final class Chart {
    private static final Color[] COLORS = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75)};
    private static final int PANEL_WIDTH = 500;
    private static final int PANEL_HEIGHT = 360;

    /** A named line through points (xs[i], ys[i]). */
    record Line(String name, double[] xs, double[] ys) {
    }

    /** One panel: a title, the x axis' label and scale (log or linear), and its lines. */
    record Panel(String title, String xLabel, boolean logX, List<Line> lines) {
    }

    private Chart() {
    }

    static void write(List<Panel> panels, Path file) throws Exception {
        int width = 2 * PANEL_WIDTH;
        int height = PANEL_HEIGHT * ((panels.size() + 1) / 2);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        for (int i = 0; i < panels.size(); i++) {
            draw(g, panels.get(i), (i % 2) * PANEL_WIDTH, (i / 2) * PANEL_HEIGHT);
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static void draw(Graphics2D g, Panel panel, int x0, int y0) {
        int left = x0 + 60;
        int top = y0 + 40;
        int w = 410;
        int h = 260;
        DoubleUnaryOperator scale = panel.logX() ? Math::log10 : x -> x;
        double minX = panel.lines().stream().flatMapToDouble(l -> java.util.Arrays.stream(l.xs())).map(scale).min()
                .orElse(0);
        double maxX = panel.lines().stream().flatMapToDouble(l -> java.util.Arrays.stream(l.xs())).map(scale).max()
                .orElse(1);
        if (!panel.logX()) {
            minX = 0;
        }
        double spanX = Math.max(1e-9, maxX - minX);
        double maxY = panel.lines().stream().flatMapToDouble(l -> java.util.Arrays.stream(l.ys()))
                .filter(v -> !Double.isNaN(v)).max().orElse(1) * 1.2;
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(panel.title(), left, y0 + 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawRect(left, top, w, h);
        for (int i = 0; i <= 4; i++) {
            int y = top + h - i * h / 4;
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left + 1, y, left + w - 1, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.0f", maxY * i / 4), x0 + 5, y + 4);
        }
        String first = axis(panel.logX() ? Math.pow(10, minX) : minX);
        String last = axis(panel.logX() ? Math.pow(10, maxX) : maxX);
        g.drawString(first, left, top + h + 15);
        g.drawString(last, left + w - g.getFontMetrics().stringWidth(last), top + h + 15);
        g.drawString(panel.xLabel(), left + w / 2 - g.getFontMetrics().stringWidth(panel.xLabel()) / 2, top + h + 30);
        for (int k = 0; k < panel.lines().size(); k++) {
            Line line = panel.lines().get(k);
            g.setColor(COLORS[k % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            int[] xs = new int[line.xs().length];
            int[] ys = new int[line.xs().length];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = left + (int) ((scale.applyAsDouble(line.xs()[i]) - minX) / spanX * w);
                ys[i] = top + h - (int) (line.ys()[i] / maxY * h);
                g.fillOval(xs[i] - 3, ys[i] - 3, 6, 6);
            }
            g.drawPolyline(xs, ys, xs.length);
            if (panel.lines().size() > 1) {
                g.drawString(line.name(), left + 10, top + 15 + 14 * k);
            }
        }
    }

    private static String axis(double value) {
        return value >= 1e6 ? String.format(Locale.ROOT, "%.1fM", value / 1e6)
                : value >= 1e3 ? String.format(Locale.ROOT, "%.0fk", value / 1e3) : String.format(Locale.ROOT, "%.0f", value);
    }
}
