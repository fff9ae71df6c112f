package io.robustcl.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import io.robustcl.pipeline.Artifact;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.cache.InputRef;
import io.robustcl.pipeline.cache.Manifest;
import io.robustcl.pipeline.graph.DagView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTML report from a hand-made cache: escaping, missing artifacts, plots, DAG fallback. */
class HtmlReportTest {

  @TempDir Path temp;

  private static String hex(char c) {
    return String.valueOf(c).repeat(64);
  }

  private static Manifest manifest(String name, String type, char key, Map<String, Object> params,
      Map<String, Double> metrics, Map<String, List<InputRef>> inputs) {
    ImmutableSortedMap.Builder<String, ImmutableList<InputRef>> in = ImmutableSortedMap.naturalOrder();
    inputs.forEach((port, refs) -> in.put(port, ImmutableList.copyOf(refs)));
    return new Manifest(hex(key), name, type, 1, "metrics", Params.of(params), in.build(), ImmutableSortedMap.of(),
        hex(key), ImmutableSortedMap.copyOf(metrics), Instant.parse("2026-12-01T09:00:00Z"),
        Instant.parse("2026-12-01T09:00:02.5Z"), "cpu", ImmutableSortedMap.of("java", "17"),
        ImmutableSortedMap.of("launcher", "in-process"));
  }

  /** The report's source with a graph of one node per stage, an edge (port unnamed) per upstream stage. */
  private static ReportSource withDag(Path file, ImmutableList<String> targets, String profile, String command,
      ImmutableList<ReportStage> stages) {
    List<DagView.Node> nodes = new java.util.ArrayList<>();
    List<DagView.Edge> edges = new java.util.ArrayList<>();
    for (ReportStage stage : stages) {
      nodes.add(new DagView.Node(stage.name(), List.of(stage.type()), List.of(stage.name()), false));
      stage.upstream().forEach(up -> edges.add(new DagView.Edge(up, stage.name(), "")));
    }
    return new ReportSource(file, targets, profile, command, stages, DagView.of(nodes, edges));
  }

  /** A training stage, two evaluate stages differing in steps, a table over them, and a missing stage. */
  private ReportSource source(String title) throws Exception {
    Path train = Files.createDirectories(temp.resolve("cache/a"));
    Files.writeString(train.resolve("curve.csv"), "epoch,mean_loss\n1,2.5\n2,1.75\n3,1.5\n");
    Manifest trainManifest = manifest("pretrain-x", "pretrain", 'a', Map.of("epochs", 3L), Map.of(), Map.of());
    InputRef model = new InputRef("pretrain-x", hex('a'), hex('a'));
    Manifest eval20 = manifest("eval-20", "evaluate", 'b', Map.of("steps", 20L, "seed", 0L),
        // the check metrics as the evaluate stage writes them: a figure and a pass flag per check;
        // figures of 0 or 1 (returns-logits) say nothing about pass or warn
        Map.of("clean", 80.0, "linf:8/255", 40.0, "linf:16/255", 12.0,
            "check/gradient-nonzero", 0.5, "check/gradient-nonzero/pass", 0.0,
            "check/returns-logits", 0.0, "check/returns-logits/pass", 1.0, "checks_warned", 1.0,
            // on 4 images 40 % and 12 % are each about 17 points uncertain: the claim below is within noise
            SampleCounts.EXAMPLES, 4.0),
        Map.of("model", List.of(model)));
    Manifest eval40 = manifest("eval-40", "evaluate", 'c', Map.of("steps", 40L, "seed", 0L),
        Map.of("clean", 80.0, "linf:8/255", 39.0, "linf:16/255", 11.0), Map.of("model", List.of(model)));

    TableLayout layout = TableLayout.parse("layout", Map.of(
        "groups", List.of(List.of(Map.of("label", "l_inf", "span", 2L))),
        "columns", List.of("8/255", "16/255"),
        "rows", List.of(Map.of("label", "X <b>bold</b>", "id", "x", "cells", List.of(
            Map.of("stage", "eval-20", "metric", "linf:8/255", "paper", 44.5),
            Map.of("stage", "eval-20", "metric", "linf:16/255", "paper", 13.0))),
            Map.of("label", "Y", "id", "y", "not_reproduced", "method Y is not implemented", "cells", List.of(51.5, "-")))));
    List<Claim> claims = Claim.parseAll("claims",
        List.of(Map.of("statement", "robust <script>alert(2)</script>", "condition", "x.8_255 > x.16_255")), layout);
    Artifact evalArtifact = new Artifact("eval-20", "evaluate", "metrics", hex('b'), hex('b'), temp, Params.empty(),
        ImmutableMap.copyOf(eval20.metrics()));
    ResolvedTable table = ResolvedTable.resolve(title, "note & more", layout, claims, List.of(evalArtifact), 2);
    Path tableDir = Files.createDirectories(temp.resolve("cache/d"));
    TableFiles.write(table, tableDir);
    Manifest tableManifest = manifest("tab", "table", 'd', Map.of(), Map.of("cells", 2.0),
        Map.of("cells", List.of(new InputRef("eval-20", hex('b'), hex('b')))));

    return withDag(Path.of("pipelines.yaml"), ImmutableList.of("tab"), "micro",
        "./pipeline run pipelines.yaml --target tab --profile micro", ImmutableList.of(
            new ReportStage("pretrain-x", "pretrain", ImmutableList.of(), hex('a'), trainManifest, train,
                ImmutableList.of(), "done"),
            new ReportStage("eval-20", "evaluate", ImmutableList.of("pretrain-x"), hex('b'), eval20, temp,
                ImmutableList.of(), "cached"),
            new ReportStage("eval-40", "evaluate", ImmutableList.of("pretrain-x"), hex('c'), eval40, temp,
                ImmutableList.of(), "cached"),
            new ReportStage("eval-gone", "evaluate", ImmutableList.of("pretrain-x"), hex('e'), null, null,
                ImmutableList.of("missing: its artifact was removed"), null),
            new ReportStage("tab", "table", ImmutableList.of("eval-20", "eval-gone"), hex('d'), tableManifest,
                tableDir, ImmutableList.of(), "done")));
  }

  @Test
  void userTextIsEscapedNeverMarkup() throws Exception {
    Path index = new HtmlReport("dot", new HostFacts(List.of("host: <i>box</i>")))
        .write(source("T <script>alert(1)</script>"), temp.resolve("site"));
    String html = Files.readString(index);
    assertTrue(html.contains("T &lt;script&gt;alert(1)&lt;/script&gt;"), "the title renders as text");
    assertFalse(html.contains("<script>alert"), "no user text becomes a script");
    assertTrue(html.contains("robust &lt;script&gt;alert(2)&lt;/script&gt;"), "claim statements are text");
    assertTrue(html.contains("X &lt;b&gt;bold&lt;/b&gt;"), "row labels are text");
    assertFalse(html.contains("<b>bold"));
    assertTrue(html.contains("note &amp; more"));
    assertTrue(html.contains("host: &lt;i&gt;box&lt;/i&gt;"));
    assertEquals(1, html.split("<script>", -1).length - 1, "only the report's own script");
  }

  @Test
  void claimsFromATableWrittenBeforeNoiseVerdictsSayTheyHaveNone() throws Exception {
    ReportSource source = source("T1");
    Path json = temp.resolve("cache/d/table.json");
    com.google.gson.JsonObject table = com.google.gson.JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    table.getAsJsonArray("claims").forEach(claim -> claim.getAsJsonObject().remove("certainty"));
    Files.writeString(json, table.toString());
    String html = Files.readString(new HtmlReport("dot", new HostFacts(List.of())).write(source, temp.resolve("site")));
    assertTrue(html.contains("1 of 1 claims hold; 1 without a noise estimate"), html);
    assertFalse(html.contains("<span class=\"noise\""), "no verdict, no within-noise tag");
  }

  @Test
  void tablesClaimsProvenanceMissingArtifactsAndPlots() throws Exception {
    Path site = temp.resolve("site");
    String html = Files.readString(new HtmlReport("dot", new HostFacts(List.of())).write(source("T1"), site));
    // cells: ours, paper, difference, colour band, sanity warning, provenance link
    assertTrue(html.contains("data-ours=\"40.00\" data-paper=\"44.50\" data-diff=\"-4.50\""), html);
    assertTrue(html.contains("class=\"cell d1\""), "|diff| 4.5 is band d1");
    assertTrue(html.contains("class=\"cell d0\""), "|12 - 13| = 1 is band d0");
    assertTrue(html.contains("data-warn=\"gradient-nonzero\""), "the warned check marks the cell, only it");
    assertTrue(html.contains("<template id=\"prov-eval-20\">"));
    assertTrue(html.contains(hex('b')), "the key is in the provenance");
    assertTrue(html.contains("steps = 20"), "the params are in the provenance");
    assertTrue(html.contains("launcher = in-process"), "where it ran");
    assertTrue(html.contains("pretrain-x (pretrain, aaaaaaaaaaaa)"), "the upstream chain");
    // claims
    assertTrue(html.contains("1 of 1 claims hold; 1 of the verdicts within noise"), html);
    assertTrue(html.contains("<span class=\"noise\""), "the claim is marked within noise");
    assertTrue(html.contains("40.00 &gt; 12.00"));
    // a missing artifact is named with the command that builds it
    assertTrue(html.contains("<code>eval-gone</code> (evaluate): missing: its artifact was removed"));
    assertTrue(html.contains("./pipeline run pipelines.yaml --target tab --profile micro"));
    // plots: learning curve, eps sweep, steps sweep, ours-vs-paper scatter; every one referenced exists
    for (String plot : List.of("plots/curve-pretrain-x.png", "plots/accuracy-vs-eps-linf.png",
        "plots/accuracy-vs-steps-1.png", "plots/tab-ours-vs-paper.png")) {
      assertTrue(html.contains("src=\"" + plot + "\""), plot);
      byte[] png = Files.readAllBytes(site.resolve(plot));
      assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', plot + " is a PNG");
    }
    assertTrue(html.contains("done") && html.contains("2.5 s"), "run facts: status and wall time");
    // a row we do not reproduce shows the paper's number and why, never disappears
    assertTrue(html.contains("<td class=\"notreproduced\" title=\"not reproduced: method Y is not implemented\">"
        + "<span class=\"ours\">n/r</span><span class=\"paper\">paper 51.50</span></td>"), html);
  }

  /**
   * The papers' sweep figures: evaluate stages differing only in steps give one chart per threat with a line per
   * model (ASCL Fig. 6 left), and the draws curve of a smoothed evaluation its own chart (RoCL Fig. 3(d)).
   */
  @Test
  void stepSweepsDrawOneLinePerModelAndTheDrawsCurveIsPlotted() throws Exception {
    List<ReportStage> stages = new java.util.ArrayList<>();
    char key = '0'; // '0'..'8': nine stages, each its own hex key
    for (String model : List.of("model-x", "model-y")) {
      InputRef ref = new InputRef(model, hex(key), hex(key));
      stages.add(new ReportStage(model, "pretrain", ImmutableList.of(), hex(key),
          manifest(model, "pretrain", key, Map.of(), Map.of(), Map.of()), temp, ImmutableList.of(), null));
      key++;
      for (long steps : List.of(0L, 10L, 20L)) {
        String name = "sweep-" + model + "-" + steps;
        stages.add(new ReportStage(name, "evaluate", ImmutableList.of(model), hex(key),
            manifest(name, "evaluate", key, Map.of("steps", steps, "seed", 0L),
                Map.of("clean", 80.0, "linf:8/255", 60.0 - steps), Map.of("model", List.of(ref))),
            temp, ImmutableList.of(), null));
        key++;
      }
    }
    stages.add(new ReportStage("smooth", "evaluate", ImmutableList.of("model-x"), hex(key),
        manifest("smooth", "evaluate", key, Map.of("steps", 5L, "inference", "transformation-smoothed"),
            Map.of("clean", 70.0, "curve.clean.1", 60.0, "curve.clean.2", 65.0, "curve.attack-at-8.1", 40.0,
                "curve.attack-at-8.2", 45.0, "bb.attack-at-8", 45.0),
            Map.of("model", List.of(new InputRef("model-x", hex('0'), hex('0'))))),
        temp, ImmutableList.of(), null));
    ReportSource source = withDag(Path.of("pipelines.yaml"), ImmutableList.of("fig"), "micro", "./pipeline run",
        ImmutableList.copyOf(stages));
    Path site = temp.resolve("site");
    String html = Files.readString(new HtmlReport("no-such-dot-here", new HostFacts(List.of())).write(source, site));
    assertTrue(html.contains("src=\"plots/accuracy-vs-steps-1.png\""), html);
    assertTrue(html.contains("linf:8/255: model-x, model-y"), "one chart, a line per model");
    assertFalse(html.contains("accuracy-vs-steps-2.png"), "the smoothed stage is no point of the sweep");
    assertTrue(html.contains("src=\"plots/accuracy-vs-draws-smooth.png\""));
    assertTrue(html.contains("smooth: attack-at-8, clean"), "a line per set");
    for (String plot : List.of("plots/accuracy-vs-steps-1.png", "plots/accuracy-vs-draws-smooth.png")) {
      byte[] png = Files.readAllBytes(site.resolve(plot));
      assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', plot + " is a PNG");
    }
  }

  /** The report draws {@code pipeline dag}'s graph (a matrix group one node), coloured by what the cache has. */
  @Test
  void theDagIsPipelineDagsGraphColouredByWhatTheCacheHas() throws Exception {
    ReportSource flat = source("T");
    DagView grouped = DagView.of(List.of(
            new DagView.Node("pretrain-x", List.of("pretrain"), List.of("pretrain-x"), false),
            new DagView.Node("eval", List.of("evaluate"), List.of("eval-20", "eval-40", "eval-gone"), true),
            new DagView.Node("tab", List.of("table"), List.of("tab"), false)),
        List.of(new DagView.Edge("pretrain-x", "eval", "model"), new DagView.Edge("eval", "tab", "cells")));
    ReportSource source = new ReportSource(flat.pipelineFile(), flat.targets(), flat.profile(), flat.buildCommand(),
        flat.stages(), grouped);
    String dot = DagImage.dot(source);
    assertEquals(String.join("\n", grouped.dot(new DagView.DotStyle(List.of(), n -> ""))).lines().count(),
        dot.lines().count() - 3, "the dag command's statements plus three style lines");
    assertTrue(dot.contains("\"eval\" [label=\"eval ×3\\n(evaluate)\", shape=box3d, fillcolor=\"#fbe7c6\""), dot);
    assertTrue(dot.contains("\"tab\" [label=\"tab\\n(table)\", fillcolor=\"#d8f0df\""), dot);
    assertTrue(dot.contains("\"eval\" -> \"tab\" [label=\"cells\"];"), dot);
    assertTrue(DagImage.text(source).contains("eval ×3 (evaluate)  model <- pretrain-x   [partly missing]\n"),
        DagImage.text(source));
  }

  @Test
  void withoutDotTheDagIsTextWithTheInstallHint() throws Exception {
    Path site = temp.resolve("site");
    String html = Files.readString(new HtmlReport("no-such-dot-here", new HostFacts(List.of())).write(source("T"), site));
    assertTrue(html.contains("apt-get install graphviz"), html);
    assertTrue(html.contains("tab (table)  &lt;- eval-20, eval-gone"), html);
    assertTrue(html.contains("eval-gone (evaluate)  &lt;- pretrain-x   [missing]"), "missing stages are marked");
    assertFalse(Files.exists(site.resolve("dag.svg")));
  }

  @Test
  void withDotTheDagIsAnSvg() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(dotRuns(), "Graphviz dot is absent: apt-get install graphviz");
    Path site = temp.resolve("site");
    String html = Files.readString(new HtmlReport("dot", new HostFacts(List.of())).write(source("T"), site));
    assertTrue(html.contains("src=\"dag.svg\""));
    assertTrue(Files.readString(site.resolve("dag.svg")).contains("eval&#45;gone"), "dot escapes the hyphen");
  }

  /** Whether {@code dot -V} runs: starting a program that is not on the PATH throws rather than failing. */
  private static boolean dotRuns() throws InterruptedException {
    try {
      return new ProcessBuilder("dot", "-V").redirectErrorStream(true).start().waitFor() == 0;
    } catch (java.io.IOException absent) {
      return false;
    }
  }
}
