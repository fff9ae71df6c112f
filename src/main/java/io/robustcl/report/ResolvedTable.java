package io.robustcl.report;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.Artifact;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TableLayout} with our numbers filled in from input artifacts' metrics.
 *
 * @param title caption
 * @param note one line under the table saying what a cell shows
 * @param layout the declared layout
 * @param ours for each layout row, one value per column (null for an empty cell); unmodifiable
 * @param digits decimals shown for our values
 * @param claims the table's claims, evaluated on {@code ours}
 * @param warnedChecks per input stage whose sanity checks warn ({@link CheckMetrics}), the names of those
 *     checks; its cells are marked
 */
public record ResolvedTable(
    String title,
    String note,
    TableLayout layout,
    List<List<@Nullable Double>> ours,
    int digits,
    ImmutableList<ClaimResult> claims,
    ImmutableMap<String, ImmutableList<String>> warnedChecks) {

  /**
   * Looks up every non-empty cell's metric in the artifact of the stage it names, then
   * evaluates the claims on the values.
   *
   * @throws IllegalArgumentException naming the row, column, stage and metric when a cell's
   *     stage is not among {@code inputs} or its artifact lacks the metric
   */
  public static ResolvedTable resolve(
      String title, String note, TableLayout layout, List<Claim> claims, List<Artifact> inputs, int digits) {
    Map<String, Artifact> byStage =
        inputs.stream().collect(Collectors.toMap(Artifact::stageName, Function.identity(), (a, b) -> a));
    ImmutableList.Builder<List<@Nullable Double>> rows = ImmutableList.builder();
    Map<String, java.util.Optional<ImageOutcomes>> outcomes = new java.util.HashMap<>();
    // the noise of each of our cells; an error of 0 where the stage records no sample count
    List<CellNoise[]> noise = new java.util.ArrayList<>();
    for (TableLayout.Row row : layout.rows()) {
      java.util.ArrayList<@Nullable Double> values = new java.util.ArrayList<>();
      CellNoise[] rowNoise = new CellNoise[row.cells().size()];
      noise.add(rowNoise);
      for (int c = 0; c < row.cells().size(); c++) {
        TableLayout.Cell cell = row.cells().get(c);
        if (!cell.reproduced()) {
          values.add(null);
          continue;
        }
        String where = "table row '" + row.label() + "', column " + (c + 1) + " ('" + layout.columns().get(c) + "')";
        Artifact artifact = byStage.get(cell.stage());
        if (artifact == null) {
          throw new IllegalArgumentException(
              where + " names stage '" + cell.stage() + "', which is not wired to the table's 'cells' input; wired: "
                  + byStage.keySet());
        }
        Double value = artifact.metrics().get(cell.metric());
        if (value == null) {
          throw new IllegalArgumentException(
              where + ": stage '" + cell.stage() + "' has no metric '" + cell.metric() + "'; it has "
                  + artifact.metrics().keySet());
        }
        values.add(value * cell.scale());
        rowNoise[c] = new CellNoise(
            SampleCounts.standardError(artifact.metrics(), cell.metric()).orElse(0) * Math.abs(cell.scale()),
            Math.signum(cell.scale()),
            outcomes.computeIfAbsent(artifact.stageName(), stage -> ImageOutcomes.read(artifact)).orElse(null),
            cell.metric());
      }
      rows.add(java.util.Collections.unmodifiableList(values));
    }
    ImmutableList<List<@Nullable Double>> ours = rows.build();
    ImmutableList.Builder<ClaimResult> results = ImmutableList.builder();
    for (Claim claim : claims) {
      results.add(evaluate(claim, layout, ours, noise, digits));
    }
    ImmutableMap.Builder<String, ImmutableList<String>> warned = ImmutableMap.builder();
    byStage.forEach((stage, artifact) -> {
      List<String> names = CheckMetrics.warned(artifact.metrics());
      if (!names.isEmpty()) {
        warned.put(stage, ImmutableList.copyOf(names));
      }
    });
    return new ResolvedTable(title, note, layout, ours, digits, results.build(), warned.buildOrThrow());
  }

  /** Whether the cell shows our number from a stage whose sanity checks warn. */
  public boolean warns(int row, int column) {
    TableLayout.Cell cell = layout.rows().get(row).cells().get(column);
    return cell.reproduced() && warnedChecks.containsKey(cell.stage());
  }

  /**
   * The footnote for marked cells, {@code ""} when none: the sign, then each warning stage of a shown
   * cell with its checks.
   */
  public String warningNote(String mark) {
    java.util.Map<String, ImmutableList<String>> shown = new java.util.LinkedHashMap<>();
    for (int r = 0; r < layout.rows().size(); r++) {
      for (int c = 0; c < layout.rows().get(r).cells().size(); c++) {
        if (warns(r, c)) {
          String stage = layout.rows().get(r).cells().get(c).stage();
          shown.put(stage, warnedChecks.get(stage));
        }
      }
    }
    if (shown.isEmpty()) {
      return "";
    }
    return mark + ": the stage's sanity checks warn, do not trust the number as is: " + shown.entrySet().stream()
        .map(e -> e.getKey() + " (" + String.join(", ", e.getValue()) + ")").collect(Collectors.joining("; "));
  }

  /**
   * What the noise of one of our cells is made of.
   *
   * @param error its standard error in points, 0 when unknown
   * @param sign the sign of its scale, which flips its correlations
   * @param outcomes its stage's per-image outcomes, null when the stage kept none
   * @param metric the metric the cell shows
   */
  private record CellNoise(double error, double sign, @Nullable ImageOutcomes outcomes, String metric) {

    /**
     * The covariance of two cells' values: the error squared for one cell; for cells scored on the
     * same images, their errors times the correlation of their per-image outcomes (paired); else 0.
     */
    double covariance(CellNoise other, boolean sameCell) {
      if (sameCell) {
        return error * error;
      }
      if (outcomes == null || other.outcomes == null) {
        return 0;
      }
      return sign * other.sign * error * other.error
          * outcomes.correlation(metric, other.outcomes, other.metric).orElse(0);
    }
  }

  /**
   * @param noise per row and column, our cell's noise; null when {@code ours} holds the paper's numbers
   */
  private static ClaimResult evaluate(Claim claim, TableLayout layout, List<List<@Nullable Double>> ours,
      @Nullable List<CellNoise[]> noise, int digits) {
    List<ClaimCondition.CellRef> refs = claim.condition().refs();
    int n = refs.size();
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      ClaimCondition.CellRef ref = refs.get(i);
      Double value = ref.paper()
          ? layout.rows().get(ref.row()).cells().get(ref.column()).paper()
          : ours.get(ref.row()).get(ref.column());
      // Claims are parsed against the layout, which rejects empty cells and missing paper values.
      values[i] = java.util.Objects.requireNonNull(value, ref.name());
    }
    double[][] covariance = new double[n][n];
    boolean known = false;
    for (int i = 0; i < n; i++) {
      ClaimCondition.CellRef a = refs.get(i);
      if (a.paper() || noise == null) {
        continue;
      }
      CellNoise cellA = noise.get(a.row())[a.column()];
      known |= cellA.error() > 0;
      for (int j = 0; j < n; j++) {
        ClaimCondition.CellRef b = refs.get(j);
        if (!b.paper()) {
          boolean same = a.row() == b.row() && a.column() == b.column();
          covariance[i][j] = cellA.covariance(noise.get(b.row())[b.column()], same);
        }
      }
    }
    boolean holds = claim.condition().holds(values);
    ClaimResult.Certainty certainty = !known ? ClaimResult.Certainty.UNKNOWN
        : claim.condition().withinNoise(values, covariance) ? ClaimResult.Certainty.WITHIN_NOISE
        : ClaimResult.Certainty.FIRM;
    ImmutableList<Double> boxed = java.util.Arrays.stream(values).boxed().collect(ImmutableList.toImmutableList());
    return new ClaimResult(claim, holds, boxed, claim.condition().withValues(values, digits), certainty);
  }

  /**
   * The table as the paper printed it: every cell's value is the paper's (null where the
   * paper gives none), claims evaluated on those; claims naming a cell without a paper value are
   * left out. A claim that fails here is mis-stated.
   */
  public static ResolvedTable ofPaper(String title, String note, TableLayout layout, List<Claim> claims, int digits) {
    ImmutableList.Builder<List<@Nullable Double>> rows = ImmutableList.builder();
    for (TableLayout.Row row : layout.rows()) {
      java.util.ArrayList<@Nullable Double> values = new java.util.ArrayList<>();
      row.cells().forEach(cell -> values.add(cell.paper()));
      rows.add(java.util.Collections.unmodifiableList(values));
    }
    ImmutableList<List<@Nullable Double>> paper = rows.build();
    ImmutableList.Builder<ClaimResult> results = ImmutableList.builder();
    for (Claim claim : claims) {
      // a claim over a cell the paper gives no number for (a training-cost column) cannot be checked on it
      boolean checkable = claim.condition().refs().stream()
          .allMatch(ref -> paper.get(ref.row()).get(ref.column()) != null);
      if (checkable) {
        results.add(evaluate(claim, layout, paper, null, digits));
      }
    }
    return new ResolvedTable(title, note, layout, paper, digits, results.build(), ImmutableMap.of());
  }

  /** Our value of a cell as text, {@code "-"} when empty, {@code "n/r"} when not reproduced. */
  public String oursText(int row, int column) {
    TableLayout.Cell cell = layout.rows().get(row).cells().get(column);
    if (!cell.isEmpty() && !cell.reproduced()) {
      return "n/r";
    }
    Double value = ours.get(row).get(column);
    return value == null ? "-" : String.format(Locale.ROOT, "%." + digits + "f", value);
  }

  /** The paper's value of a cell as text (as printed in the paper), {@code "-"} when absent. */
  public String paperText(int row, int column) {
    Double paper = layout.rows().get(row).cells().get(column).paper();
    return paper == null ? "-" : String.format(Locale.ROOT, "%.2f", paper);
  }

  /** {@code "ours / paper"}, {@code "n/r / paper"} for a cell not reproduced, or {@code "-"} for an empty cell. */
  public String sideBySide(int row, int column) {
    if (layout.rows().get(row).cells().get(column).isEmpty()) {
      return "-";
    }
    return oursText(row, column) + " / " + paperText(row, column);
  }
}
