package io.robustcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.multibindings.MapBinder;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.exec.EngineModule;
import io.robustcl.stages.TableStage;
import io.robustcl.testing.FakeStage;
import io.robustcl.testing.FakeStagesModule;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pipeline diff} of two profiles, of --set, and of two caches, through the CLI. */
class DiffCommandTest {

  static final String PIPELINE = """
      vars: {v: 1}
      profiles:
        a: {v: 1}
        b: {v: 3}
      stages:
        m: {type: fake, params: {v: "${v}"}}
        n: {type: fake, params: {v: 7}}
        tab:
          type: table
          inputs: {cells: [m, n]}
          params:
            title: t
            layout:
              columns: [{label: value, id: v}]
              rows:
                - {label: M, cells: [{stage: m, metric: v, paper: 2}]}
                - {label: N, cells: [{stage: n, metric: v}]}
      targets: {t: tab}
      """;

  @TempDir Path tmp;

  private final Injector injector = Guice.createInjector(new EngineModule(), new FakeStagesModule(new FakeStage()),
      new AbstractModule() {
        @Override
        protected void configure() {
          MapBinder.newMapBinder(binder(), String.class, Stage.class).addBinding("table").to(TableStage.class);
        }
      });
  private String out = "";

  private int cli(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = Main.execute(injector, new PrintWriter(o, true), new PrintWriter(e, true), args);
    out = o + e.toString();
    return code;
  }

  private int run(Path cache, String... extra) {
    List<String> args = new ArrayList<>(List.of("run", tmp.resolve("p.yaml").toString(), "--target", "t",
        "--cache", cache.toString(), "--results", tmp.resolve("results").toString(), "--no-report"));
    args.addAll(List.of(extra));
    return cli(args.toArray(String[]::new));
  }

  @Test
  void twoProfilesShowOldNewChangeAndWhichStagesDifferWhy() throws Exception {
    Files.writeString(tmp.resolve("p.yaml"), PIPELINE);
    Path cache = tmp.resolve("cache");
    assertEquals(0, run(cache, "--profile", "a"), out);
    assertEquals(0, run(cache, "--profile", "b"), out);

    assertEquals(0, cli("diff", tmp.resolve("p.yaml").toString(), "--target", "t", "--cache", cache.toString(),
        "--profile", "a", "--profile", "b", "--format", "json"), out);
    JsonObject json = JsonParser.parseString(out).getAsJsonObject();
    assertEquals("profile a", json.get("old").getAsString());
    JsonObject cell = json.getAsJsonArray("values").get(0).getAsJsonObject();
    assertEquals("tab m.v", cell.get("name").getAsString());
    assertEquals(1.0, cell.get("old").getAsDouble());
    assertEquals(3.0, cell.get("new").getAsDouble());
    assertEquals(2.0, cell.get("change").getAsDouble());
    assertEquals(0.0, json.getAsJsonArray("values").get(1).getAsJsonObject().get("change").getAsDouble(), "n.v unchanged");
    var stages = json.getAsJsonArray("stages");
    assertEquals(2, stages.size(), "m and the table differ, n does not: " + stages);
    assertEquals("m", stages.get(0).getAsJsonObject().get("stage").getAsString());
    assertEquals("param changed: v 1 -> 3", stages.get(0).getAsJsonObject().getAsJsonArray("reasons").get(0).getAsString());
    assertEquals("input changed: cells", stages.get(1).getAsJsonObject().getAsJsonArray("reasons").get(0).getAsString());

    assertEquals(0, cli("diff", tmp.resolve("p.yaml").toString(), "--target", "t", "--cache", cache.toString(),
        "--profile", "a", "--profile", "b"), out);
    assertTrue(out.contains("| tab m.v | 1.00 | 3.00 | +2.00 |"), out);
    assertTrue(out.contains("- `m` "), out);

    assertEquals(0, cli("diff", tmp.resolve("p.yaml").toString(), "--target", "t", "--cache", cache.toString(),
        "--profile", "a", "--profile", "b", "--format", "csv"), out);
    assertTrue(out.startsWith("kind,name,old,new,change\r\nvalue,tab m.v,1.0000,3.0000,2.0000\r\n"), out);
  }

  @Test
  void setOverridesNotYetBuiltAreMissingWithTheCommandThatBuildsThem() throws Exception {
    Files.writeString(tmp.resolve("p.yaml"), PIPELINE);
    Path cache = tmp.resolve("cache");
    assertEquals(0, run(cache));
    assertEquals(0, cli("diff", tmp.resolve("p.yaml").toString(), "--target", "t", "--cache", cache.toString(),
        "--set", "v=5"), out);
    assertTrue(out.contains("| tab m.v | 1.00 | missing |  |"), out);
    assertTrue(out.contains("./pipeline run " + tmp.resolve("p.yaml") + " --target t --set v=5"), out);
  }

  @Test
  void twoCachesCompareTheirArtifacts() throws Exception {
    Files.writeString(tmp.resolve("p.yaml"), PIPELINE);
    Path c1 = tmp.resolve("c1");
    Path c2 = tmp.resolve("c2");
    assertEquals(0, run(c1));
    assertEquals(0, run(c2));
    assertEquals(0, cli("diff", tmp.resolve("p.yaml").toString(), "--target", "t", "--cache", c1.toString(),
        "--cache", c2.toString()), out);
    assertTrue(out.contains("| tab m.v | 1.00 | 1.00 | +0.00 |"), out);
    assertTrue(out.contains("0 stages differ."), out);

    assertEquals(0, run(c2, "--set", "v=4"));
    assertEquals(0, cli("diff", tmp.resolve("p.yaml").toString(), "--target", "t", "--cache", c1.toString(),
        "--cache", c2.toString(), "--set", "v=4"), out);
    assertTrue(out.contains("| tab m.v | 1.00 | 4.00 | +3.00 |"), out);

    assertEquals(2, cli("diff", tmp.resolve("p.yaml").toString(), "--target", "t"), out);
    assertTrue(out.contains("say what to compare"), out);
  }
}
