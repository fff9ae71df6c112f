package io.robustcl.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import freemarker.core.HTMLOutputFormat;
import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import io.robustcl.pipeline.cache.InputRef;
import io.robustcl.pipeline.cache.Manifest;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code pipeline report}: a self-contained static site ({@code index.html}, PNG plots and
 * the DAG as SVG, no network, no server) made from the cache alone. Every number links to
 * the stage, key, params and upstream chain that made it.
 */
public final class HtmlReport {

  /** Metrics {@code curve.<set>.<n>}: the evaluate stage's draws curve (its param {@code draws_curve}). */
  static final String DRAWS_CURVE_PREFIX = "curve.";

  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
      .withZone(ZoneOffset.UTC);

  private final String dotCommand;
  private final HostFacts host;

  /**
   * @param dotCommand the Graphviz executable, normally {@code dot}
   * @param host facts about the machine the report is written on
   */
  public HtmlReport(String dotCommand, HostFacts host) {
    this.dotCommand = dotCommand;
    this.host = host;
  }

  /**
   * Writes the site into {@code outDir} (created; files of an earlier report there are replaced).
   *
   * @return the path of {@code index.html}
   */
  public Path write(ReportSource source, Path outDir) throws IOException {
    Files.createDirectories(outDir);
    Path plots = Files.createDirectories(outDir.resolve("plots"));
    try (var old = Files.list(plots)) {
      for (Path file : old.toList()) {
        Files.deleteIfExists(file);
      }
    }
    Map<String, ReportStage> byName = new LinkedHashMap<>();
    source.stages().forEach(s -> byName.put(s.name(), s));

    List<ReportView.Table> tables = new ArrayList<>();
    List<ReportView.Plot> plotViews = new ArrayList<>();
    for (ReportStage stage : source.stages()) {
      if (stage.type().equals("table") && stage.present() && Files.isRegularFile(stage.dir().resolve("table.json"))) {
        tables.add(table(stage, byName, outDir, plotViews));
      }
    }
    plotViews.addAll(sweeps(source, outDir));
    plotViews.addAll(learningCurves(source, outDir));

    List<ReportView.Missing> missing = new ArrayList<>();
    for (ReportStage stage : source.stages()) {
      if (!stage.present()) {
        missing.add(new ReportView.Missing(stage.name(), stage.type(), String.join("; ", stage.whyMissing())));
      }
    }
    DagImage.Result dag = DagImage.draw(source, outDir, dotCommand);
    ReportView.Page page = new ReportView.Page(
        "robustcl report: " + String.join(", ", source.targets()),
        DATE.format(Instant.now()) + ", profile " + source.profile() + ", " + source.pipelineFile(),
        source.buildCommand(), tables, missing, plotViews,
        new ReportView.Dag(dag.svg() == null ? "" : dag.svg(), dag.text(), dag.problem() == null ? "" : dag.problem()),
        facts(source), provenance(source, byName));
    Path index = outDir.resolve("index.html");
    Path partial = outDir.resolve("index.html.tmp");
    try (Writer out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
      template().process(Map.of("page", page), out);
    } catch (TemplateException e) {
      Files.deleteIfExists(partial);
      throw new IllegalStateException("report template failed: " + e.getMessage(), e);
    }
    Files.move(partial, index, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return index;
  }

  // ---- tables -----------------------------------------------------------------------

  private ReportView.Table table(ReportStage stage, Map<String, ReportStage> byName, Path outDir,
      List<ReportView.Plot> plots) throws IOException {
    JsonObject json = JsonParser.parseString(Files.readString(stage.dir().resolve("table.json"))).getAsJsonObject();
    List<List<ReportView.Group>> groups = new ArrayList<>();
    for (JsonElement headerRow : json.getAsJsonArray("groups")) {
      List<ReportView.Group> row = new ArrayList<>();
      for (JsonElement g : headerRow.getAsJsonArray()) {
        row.add(new ReportView.Group(g.getAsJsonObject().get("label").getAsString(), g.getAsJsonObject().get("span").getAsInt()));
      }
      groups.add(row);
    }
    List<String> columns = new ArrayList<>();
    json.getAsJsonArray("columns").forEach(c -> columns.add(c.getAsString()));
    List<ReportView.Row> rows = new ArrayList<>();
    List<Charts.Point> scatter = new ArrayList<>();
    for (JsonElement r : json.getAsJsonArray("rows")) {
      JsonObject row = r.getAsJsonObject();
      if (row.has("section")) {
        rows.add(new ReportView.Row(row.get("section").getAsString(), "", List.of()));
        continue;
      }
      List<ReportView.Cell> cells = new ArrayList<>();
      for (JsonElement c : row.getAsJsonArray("cells")) {
        if (c.isJsonNull()) {
          cells.add(new ReportView.Cell(true, "-", "", "", "empty", "", "", "", "", ""));
          continue;
        }
        JsonObject cell = c.getAsJsonObject();
        if (cell.get("ours").isJsonNull()) {
          // a row we do not reproduce keeps the paper's number and says why
          String why = row.has("not_reproduced") ? row.get("not_reproduced").getAsString() : "not reproduced";
          cells.add(ReportView.Cell.notReproduced(
              cell.get("paper").isJsonNull() ? "" : number(cell.get("paper").getAsDouble()), why));
          continue;
        }
        double ours = cell.get("ours").getAsDouble();
        Double paper = cell.has("paper") && !cell.get("paper").isJsonNull() ? cell.get("paper").getAsDouble() : null;
        String cellStage = cell.get("stage").getAsString();
        String band = paper == null ? "nopaper" : band(Math.abs(ours - paper));
        if (paper != null) {
          scatter.add(new Charts.Point(paper, ours));
        }
        ReportStage source = byName.get(cellStage);
        cells.add(new ReportView.Cell(false, number(ours), paper == null ? "" : number(paper),
            paper == null ? "" : signed(ours - paper), band, cellStage, cell.get("metric").getAsString(),
            source == null ? "" : warnings(source), provenanceId(cellStage), ""));
      }
      rows.add(new ReportView.Row("", row.get("label").getAsString(), cells));
    }
    List<ReportView.Claim> claims = new ArrayList<>();
    long holding = 0;
    long noisy = 0;
    long unknown = 0;
    if (json.has("claims")) {
      for (JsonElement c : json.getAsJsonArray("claims")) {
        JsonObject claim = c.getAsJsonObject();
        boolean holds = claim.get("holds").getAsBoolean();
        holding += holds ? 1 : 0;
        ClaimResult.Certainty certainty =
            ClaimResult.Certainty.ofLabel(claim.has("certainty") ? claim.get("certainty").getAsString() : "");
        noisy += certainty == ClaimResult.Certainty.WITHIN_NOISE ? 1 : 0;
        unknown += certainty == ClaimResult.Certainty.UNKNOWN ? 1 : 0;
        claims.add(new ReportView.Claim(holds, claim.get("statement").getAsString(),
            claim.get("condition").getAsString(), claim.get("decided").getAsString(),
            certainty == ClaimResult.Certainty.WITHIN_NOISE));
      }
    }
    String noise = ClaimResult.noiseNote(noisy, unknown);
    String scatterFile = "";
    if (!scatter.isEmpty()) {
      scatterFile = "plots/" + stage.name() + "-ours-vs-paper.png";
      Charts.oursVsPaper(stage.name() + ": ours against the paper (%)", scatter, outDir.resolve(scatterFile), 360, 360);
      plots.add(new ReportView.Plot("Ours against the paper", stage.name(), scatterFile));
    }
    return new ReportView.Table("table-" + stage.name(), stage.name(), json.get("title").getAsString(),
        json.get("note").getAsString(), json.get("corner").getAsString(), groups, columns, rows, claims,
        claims.isEmpty() ? "" : holding + " of " + claims.size() + " claims hold" + (noise.isEmpty() ? "" : "; " + noise),
        scatterFile, columns.size());
  }

  /** Colour band of |ours - paper| in accuracy points. */
  static String band(double difference) {
    if (difference < 2) {
      return "d0";
    }
    if (difference < 5) {
      return "d1";
    }
    if (difference < 10) {
      return "d2";
    }
    return difference < 20 ? "d3" : "d4";
  }

  /** The sanity checks of {@code stage} that warn ({@link CheckMetrics}), comma separated. */
  static String warnings(ReportStage stage) {
    return String.join(", ", CheckMetrics.warned(stage.manifest().metrics()));
  }

  // ---- plots ------------------------------------------------------------------------

  /** Robust accuracy against eps (metrics {@code norm:eps} of evaluate stages), PGD steps and smoothing draws. */
  private List<ReportView.Plot> sweeps(ReportSource source, Path outDir) throws IOException {
    List<ReportView.Plot> out = new ArrayList<>();
    // eps: one chart per norm, one line per evaluate stage with at least two radii of that norm
    Map<String, Map<String, List<Charts.Point>>> byNorm = new TreeMap<>();
    for (ReportStage stage : source.stages()) {
      if (!stage.present() || !stage.type().equals("evaluate")) {
        continue;
      }
      Map<String, Double> metrics = stage.manifest().metrics();
      Map<String, TreeMap<Double, Double>> curves = new TreeMap<>();
      metrics.forEach((name, value) -> {
        int colon = name.indexOf(':');
        if (colon > 0) {
          Double eps = radius(name.substring(colon + 1));
          if (eps != null) {
            curves.computeIfAbsent(name.substring(0, colon), k -> new TreeMap<>()).put(eps, value);
          }
        }
      });
      curves.forEach((norm, points) -> {
        if (points.size() >= 2) {
          if (metrics.containsKey("clean")) {
            points.put(0.0, metrics.get("clean"));
          }
          List<Charts.Point> line = new ArrayList<>();
          points.forEach((eps, acc) -> line.add(new Charts.Point(norm.equals("linf") ? eps * 255 : eps, acc)));
          byNorm.computeIfAbsent(norm, k -> new LinkedHashMap<>()).put(stage.name(), line);
        }
      });
    }
    for (var entry : byNorm.entrySet()) {
      String norm = entry.getKey();
      String file = "plots/accuracy-vs-eps-" + norm + ".png";
      String x = norm.equals("linf") ? "eps (l_inf, in 1/255)" : "eps (" + norm + ")";
      Charts.lines("Robust accuracy against eps, " + norm, x, "accuracy %", entry.getValue(), outDir.resolve(file),
          560, 380);
      out.add(new ReportView.Plot("Robust accuracy against eps", norm, file));
    }
    out.addAll(stepSweeps(source, outDir));
    out.addAll(drawCurves(source, outDir));
    return out;
  }

  /**
   * Robust accuracy against PGD steps (ASCL Fig. 6 left, UPAT Fig. 3(b), RoCL table 6): evaluate stages
   * that differ only in {@code steps} and their model form a sweep; one chart per sweep setting and threat,
   * one line per model.
   */
  private static List<ReportView.Plot> stepSweeps(ReportSource source, Path outDir) throws IOException {
    Map<String, Map<String, TreeMap<Long, ReportStage>>> bySetting = new LinkedHashMap<>();
    for (ReportStage stage : source.stages()) {
      if (stage.present() && stage.type().equals("evaluate") && stage.manifest().params().has("steps")) {
        Manifest m = stage.manifest();
        Map<String, Object> others = new TreeMap<>(m.params().asMap());
        others.remove("steps");
        var otherInputs = new TreeMap<>(m.inputs());
        otherInputs.remove("model");
        String model = m.inputs().containsKey("model")
            ? String.join("+", m.inputs().get("model").stream().map(InputRef::stageName).toList()) : stage.name();
        bySetting.computeIfAbsent(others + " " + otherInputs, k -> new LinkedHashMap<>())
            .computeIfAbsent(model, k -> new TreeMap<>()).put(m.params().getLong("steps"), stage);
      }
    }
    List<ReportView.Plot> out = new ArrayList<>();
    int sweep = 0;
    for (Map<String, TreeMap<Long, ReportStage>> models : bySetting.values()) {
      if (models.values().stream().noneMatch(steps -> steps.size() >= 2)) {
        continue;
      }
      // threat metric -> model -> (steps, accuracy)
      Map<String, Map<String, List<Charts.Point>>> charts = new TreeMap<>();
      models.forEach((model, steps) -> steps.forEach((n, stage) -> stage.manifest().metrics().forEach((name, value) -> {
        if (name.contains(":")) {
          charts.computeIfAbsent(name, k -> new LinkedHashMap<>()).computeIfAbsent(model, k -> new ArrayList<>())
              .add(new Charts.Point(n, value));
        }
      })));
      for (var chart : charts.entrySet()) {
        String file = "plots/accuracy-vs-steps-" + (++sweep) + ".png";
        Charts.lines("Robust accuracy against PGD steps, " + chart.getKey(), "PGD steps", "accuracy %",
            chart.getValue(), outDir.resolve(file), 560, 380);
        out.add(new ReportView.Plot("Robust accuracy against PGD steps",
            chart.getKey() + ": " + String.join(", ", chart.getValue().keySet()), file));
      }
    }
    return out;
  }

  /**
   * Accuracy of a transformation-smoothed classifier against its number of draws n (RoCL Fig. 3(d)):
   * the evaluate stage's metrics {@code curve.<set>.<n>}, one line per set (clean, each black-box set).
   */
  private static List<ReportView.Plot> drawCurves(ReportSource source, Path outDir) throws IOException {
    List<ReportView.Plot> out = new ArrayList<>();
    for (ReportStage stage : source.stages()) {
      if (!stage.present() || !stage.type().equals("evaluate")) {
        continue;
      }
      Map<String, TreeMap<Long, Double>> sets = new TreeMap<>();
      stage.manifest().metrics().forEach((name, value) -> {
        int dot = name.lastIndexOf('.');
        if (name.startsWith(DRAWS_CURVE_PREFIX) && dot > DRAWS_CURVE_PREFIX.length()) {
          try {
            sets.computeIfAbsent(name.substring(DRAWS_CURVE_PREFIX.length(), dot), k -> new TreeMap<>())
                .put(Long.parseLong(name.substring(dot + 1)), value);
          } catch (NumberFormatException e) {
            // not a point of the curve
          }
        }
      });
      if (sets.values().stream().noneMatch(points -> points.size() >= 2)) {
        continue;
      }
      Map<String, List<Charts.Point>> lines = new LinkedHashMap<>();
      sets.forEach((set, points) -> {
        List<Charts.Point> line = new ArrayList<>();
        points.forEach((n, accuracy) -> line.add(new Charts.Point(n, accuracy)));
        lines.put(set, line);
      });
      String file = "plots/accuracy-vs-draws-" + stage.name() + ".png";
      Charts.lines("Accuracy against smoothing draws n, " + stage.name(), "draws n", "accuracy %", lines,
          outDir.resolve(file), 560, 380);
      out.add(new ReportView.Plot("Accuracy against smoothing draws", stage.name() + ": " + String.join(", ",
          lines.keySet()), file));
    }
    return out;
  }

  /** {@code 8/255} or {@code 0.5} as a number, or null for anything else. */
  static Double radius(String text) {
    try {
      int slash = text.indexOf('/');
      return slash < 0 ? Double.parseDouble(text)
          : Double.parseDouble(text.substring(0, slash)) / Double.parseDouble(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Loss per epoch of every training stage ({@code curve.csv}: epoch, then one column per series). */
  private List<ReportView.Plot> learningCurves(ReportSource source, Path outDir) throws IOException {
    List<ReportView.Plot> out = new ArrayList<>();
    for (ReportStage stage : source.stages()) {
      if (!stage.present() || !Files.isRegularFile(stage.dir().resolve("curve.csv"))) {
        continue;
      }
      List<String> lines = Files.readAllLines(stage.dir().resolve("curve.csv"));
      if (lines.size() < 2) {
        continue;
      }
      String[] header = lines.get(0).split(",");
      Map<String, List<Charts.Point>> series = new LinkedHashMap<>();
      for (String line : lines.subList(1, lines.size())) {
        String[] values = line.split(",");
        for (int c = 1; c < Math.min(header.length, values.length); c++) {
          try {
            series.computeIfAbsent(header[c], k -> new ArrayList<>())
                .add(new Charts.Point(Double.parseDouble(values[0]), Double.parseDouble(values[c])));
          } catch (NumberFormatException e) {
            // a non-numeric column (none is written today) is not a curve
          }
        }
      }
      if (series.isEmpty()) {
        continue;
      }
      String file = "plots/curve-" + stage.name() + ".png";
      Charts.lines(stage.name() + " (" + stage.type() + ")", header[0], "loss", series, outDir.resolve(file), 420, 280);
      out.add(new ReportView.Plot("Learning curves", stage.name(), file));
    }
    return out;
  }

  // ---- provenance and facts ---------------------------------------------------------

  static String provenanceId(String stage) {
    return "prov-" + stage;
  }

  private static List<ReportView.Provenance> provenance(ReportSource source, Map<String, ReportStage> byName) {
    List<ReportView.Provenance> out = new ArrayList<>();
    for (ReportStage stage : source.stages()) {
      List<String> chain = new ArrayList<>();
      for (String up : ancestors(stage, byName)) {
        ReportStage u = byName.get(up);
        chain.add(up + " (" + u.type() + (u.key() == null ? ", missing" : ", " + u.key().substring(0, 12)) + ")");
      }
      if (!stage.present()) {
        out.add(new ReportView.Provenance(provenanceId(stage.name()), stage.name(), stage.type(),
            stage.key() == null ? "" : stage.key(), "", List.of(), chain, "", "", "", List.of(), List.of(), false));
        continue;
      }
      Manifest m = stage.manifest();
      List<String> params = new ArrayList<>();
      m.params().asMap().forEach((k, v) -> params.add(k + " = " + v));
      List<String> metrics = new ArrayList<>();
      m.metrics().forEach((k, v) -> metrics.add(k + " = " + number(v)));
      List<String> execution = new ArrayList<>();
      m.execution().forEach((k, v) -> execution.add(k + " = " + v));
      out.add(new ReportView.Provenance(provenanceId(stage.name()), stage.name(), stage.type(), m.key(),
          stage.dir().toString(), params, chain, m.device(), wall(m.duration()), DATE.format(m.endTime()), metrics,
          execution, true));
    }
    return out;
  }

  /** Every stage upstream of {@code stage}, nearest first. */
  private static List<String> ancestors(ReportStage stage, Map<String, ReportStage> byName) {
    Set<String> seen = new LinkedHashSet<>();
    List<String> frontier = new ArrayList<>(stage.upstream());
    while (!frontier.isEmpty()) {
      String next = frontier.remove(0);
      if (seen.add(next) && byName.containsKey(next)) {
        frontier.addAll(byName.get(next).upstream());
      }
    }
    seen.retainAll(byName.keySet());
    return List.copyOf(seen);
  }

  private ReportView.Facts facts(ReportSource source) {
    List<ReportView.StageFact> stages = new ArrayList<>();
    Duration total = Duration.ZERO;
    Set<String> versions = new TreeSet<>();
    long present = 0;
    for (ReportStage stage : source.stages()) {
      if (stage.present()) {
        present++;
        Manifest m = stage.manifest();
        total = total.plus(m.duration());
        m.versions().forEach((k, v) -> versions.add(k + " " + v));
        String status = stage.lastRun() == null ? "in cache" : stage.lastRun();
        stages.add(new ReportView.StageFact(stage.name(), stage.type(), status, wall(m.duration()),
            DATE.format(m.endTime()), m.device(), m.key().substring(0, 12)));
      } else {
        stages.add(new ReportView.StageFact(stage.name(), stage.type(), "missing", "", "", "", ""));
      }
    }
    return new ReportView.Facts(stages, wall(total), present, source.stages().size() - present, host.lines(),
        List.copyOf(versions));
  }

  static String wall(Duration d) {
    double s = d.toNanos() / 1e9;
    if (s < 60) {
      return String.format(Locale.ROOT, "%.1f s", s);
    }
    long whole = Math.round(s);
    return whole < 3600 ? String.format(Locale.ROOT, "%d min %02d s", whole / 60, whole % 60)
        : String.format(Locale.ROOT, "%d h %02d min", whole / 3600, (whole % 3600) / 60);
  }

  private static String number(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String signed(double v) {
    return String.format(Locale.ROOT, "%+.2f", v);
  }

  private static Template template() throws IOException {
    Configuration config = new Configuration(Configuration.VERSION_2_3_34);
    config.setClassForTemplateLoading(HtmlReport.class, "/io/robustcl/report");
    config.setDefaultEncoding("UTF-8");
    config.setOutputFormat(HTMLOutputFormat.INSTANCE);
    config.setRecognizeStandardFileExtensions(true);
    config.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
    config.setLogTemplateExceptions(false);
    config.setFallbackOnNullLoopVariable(false);
    return config.getTemplate("report.ftlh");
  }
}
