package io.robustcl.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's plots, drawn with JFreeChart and saved as PNG. */
final class Charts {

  /** Colour-blind-safe palette (Okabe and Ito), then greys. */
  private static final Color[] PALETTE = {
      new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7), new Color(0xE69F00),
      new Color(0x56B4E9), new Color(0xF0E442), new Color(0x000000), new Color(0x999999), new Color(0x8C564B),
      new Color(0x17BECF), new Color(0xBCBD22)};

  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 13);
  private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

  private Charts() {}

  /** A point of a plot. */
  record Point(double x, double y) {}

  /**
   * Lines through each series' points (in the order given), one colour per series.
   *
   * @param series series name to its points; at most {@link #PALETTE} length series keep distinct colours
   */
  static void lines(String title, String xLabel, String yLabel, Map<String, List<Point>> series, Path png,
      int width, int height) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    series.forEach((name, points) -> {
      XYSeries s = new XYSeries(name, false, true);
      points.forEach(p -> s.add(p.x(), p.y()));
      data.addSeries(s);
    });
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      renderer.setSeriesStroke(i, new BasicStroke(2f));
      renderer.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
    }
    XYPlot plot = plot(data, xLabel, yLabel, renderer);
    // a single epoch or one value: give the axes some room instead of a zero-width range
    widen((NumberAxis) plot.getDomainAxis(), data.getDomainLowerBound(false), data.getDomainUpperBound(false), 1);
    widen((NumberAxis) plot.getRangeAxis(), data.getRangeLowerBound(false), data.getRangeUpperBound(false), 0.05);
    if (data.getSeriesCount() > 0 && isWhole(data)) {
      plot.getDomainAxis().setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    }
    save(chart(title, plot, data.getSeriesCount() > 1), png, width, height);
  }

  /**
   * Our numbers against the paper's, one dot per cell, with the diagonal where they agree.
   *
   * @param points x = the paper's value, y = ours
   */
  static void oursVsPaper(String title, List<Point> points, Path png, int width, int height) throws IOException {
    XYSeries cells = new XYSeries("cells", false, true);
    points.forEach(p -> cells.add(p.x(), p.y()));
    double max = 100;
    for (Point p : points) {
      max = Math.max(max, Math.max(p.x(), p.y()));
    }
    XYSeries diagonal = new XYSeries("ours = paper", false, true);
    diagonal.add(0, 0);
    diagonal.add(max, max);
    XYSeriesCollection dots = new XYSeriesCollection(cells);
    XYLineAndShapeRenderer dotRenderer = new XYLineAndShapeRenderer(false, true);
    dotRenderer.setSeriesPaint(0, PALETTE[0]);
    dotRenderer.setSeriesShape(0, new Ellipse2D.Double(-4, -4, 8, 8));
    XYPlot plot = plot(dots, "paper", "ours", dotRenderer);
    XYLineAndShapeRenderer lineRenderer = new XYLineAndShapeRenderer(true, false);
    lineRenderer.setSeriesPaint(0, new Color(0x999999));
    lineRenderer.setSeriesStroke(0, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
        new float[] {6f, 4f}, 0f));
    plot.setDataset(1, new XYSeriesCollection(diagonal));
    plot.setRenderer(1, lineRenderer);
    ((NumberAxis) plot.getDomainAxis()).setRange(0, max);
    ((NumberAxis) plot.getRangeAxis()).setRange(0, max);
    save(chart(title, plot, false), png, width, height);
  }

  private static void widen(NumberAxis axis, double low, double high, double margin) {
    if (Double.isFinite(low) && Double.isFinite(high) && high - low < 1e-9) {
      double pad = margin >= 1 ? margin : Math.max(Math.abs(low) * margin, 0.01);
      axis.setRange(low - pad, high + pad);
    }
  }

  private static boolean isWhole(XYSeriesCollection data) {
    for (int s = 0; s < data.getSeriesCount(); s++) {
      for (int i = 0; i < data.getItemCount(s); i++) {
        double x = data.getXValue(s, i);
        if (x != Math.rint(x)) {
          return false;
        }
      }
    }
    return true;
  }

  private static XYPlot plot(XYSeriesCollection data, String xLabel, String yLabel, XYLineAndShapeRenderer renderer) {
    NumberAxis x = new NumberAxis(xLabel);
    NumberAxis y = new NumberAxis(yLabel);
    x.setAutoRangeIncludesZero(false);
    y.setAutoRangeIncludesZero(false);
    for (NumberAxis axis : List.of(x, y)) {
      axis.setLabelFont(LABEL);
      axis.setTickLabelFont(LABEL);
      axis.setNumberFormatOverride(new java.text.DecimalFormat("0.###"));
    }
    XYPlot plot = new XYPlot(data, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xE5E5E5));
    plot.setRangeGridlinePaint(new Color(0xE5E5E5));
    plot.setOutlineVisible(false);
    return plot;
  }

  private static JFreeChart chart(String title, XYPlot plot, boolean legend) {
    JFreeChart chart = new JFreeChart(title, TITLE, plot, legend);
    chart.setBackgroundPaint(Color.WHITE);
    chart.setTitle(new TextTitle(title, TITLE));
    if (legend) {
      chart.getLegend().setItemFont(LABEL);
      chart.getLegend().setFrame(org.jfree.chart.block.BlockBorder.NONE);
    }
    return chart;
  }

  private static void save(JFreeChart chart, Path png, int width, int height) throws IOException {
    ChartUtils.saveChartAsPNG(png.toFile(), chart, width, height);
  }
}
