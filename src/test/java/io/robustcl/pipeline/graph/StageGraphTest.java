package io.robustcl.pipeline.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.robustcl.pipeline.config.FakeStages;
import io.robustcl.pipeline.config.LoadOptions;
import io.robustcl.pipeline.config.PipelineLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageGraphTest {

  /** d <- a <- c, d <- b <- c, e alone; declared readers before their inputs on purpose. */
  private static Map<String, List<String>> diamond() {
    Map<String, List<String>> deps = new LinkedHashMap<>();
    deps.put("c", List.of("a", "b"));
    deps.put("e", List.of());
    deps.put("a", List.of("d"));
    deps.put("b", List.of("d"));
    deps.put("d", List.of());
    return deps;
  }

  @Test
  void topologicalOrderPutsInputsFirstAndIsDeterministic() {
    StageGraph graph = StageGraph.of(diamond());
    List<String> order = graph.topologicalOrder();
    assertEquals(List.of("d", "a", "b", "c", "e"), order);
    diamond().forEach((reader, inputs) -> inputs.forEach(input ->
        assertTrue(order.indexOf(input) < order.indexOf(reader), input + " before " + reader)));
    assertEquals(order, StageGraph.of(diamond()).topologicalOrder());
  }

  @Test
  void closureDependantsAndDownstream() {
    StageGraph graph = StageGraph.of(diamond());
    assertEquals(List.of("d", "a"), graph.closure(List.of("a")));
    assertEquals(List.of("d", "a", "b", "c"), graph.closure(List.of("c")));
    assertEquals(List.of("e"), graph.closure(List.of("e")));
    assertEquals(List.of("a", "b"), graph.dependants("d"));
    assertEquals(List.of("a", "b", "c"), graph.downstream("d"));
    assertEquals(List.of(), graph.downstream("c"));
    assertEquals(List.of("a", "b"), graph.dependencies("c"));
    assertThrows(IllegalArgumentException.class, () -> graph.closure(List.of("zz")));
  }

  @Test
  void cyclesAreFoundAndPrinted() {
    Map<String, List<String>> deps = diamond();
    deps.put("d", List.of("c"));
    Optional<? extends List<String>> cycle = StageGraph.findCycle(deps);
    assertEquals(Optional.of(List.of("c", "a", "d", "c")), cycle);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StageGraph.of(deps));
    assertTrue(e.getMessage().contains("c -> a -> d -> c"), e.getMessage());
    assertEquals(Optional.empty(), StageGraph.findCycle(diamond()));
    assertEquals(Optional.of(List.of("x", "x")), StageGraph.findCycle(Map.of("x", List.of("x"))));
  }

  @Test
  void deepChainNeedsNoDeepStack() {
    Map<String, List<String>> deps = new LinkedHashMap<>();
    for (int i = 0; i < 50_000; i++) {
      deps.put("s" + i, i == 0 ? List.of() : List.of("s" + (i - 1)));
    }
    StageGraph graph = StageGraph.of(deps);
    assertEquals("s49999", graph.topologicalOrder().get(49_999));
    assertEquals(50_000, graph.closure(List.of("s49999")).size());
  }

  @Test
  void graphOfALoadedPipeline(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("p.yaml");
    Files.writeString(file, """
        stages:
          t: {type: table, inputs: {sources: [m2, m1], extra: data}}
          m1: {type: pretrain, inputs: {data: data}, params: {epochs: 1}}
          m2: {type: pretrain, inputs: {data: data}, params: {epochs: 2}}
          data: {type: dataset}
          other: {type: dataset}
        """);
    StageGraph graph = StageGraph.of(new PipelineLoader(FakeStages.registry()).load(file, LoadOptions.defaults()));
    assertEquals(List.of("data", "m2", "m1", "t", "other"), graph.topologicalOrder());
    assertEquals(List.of("data", "m2", "m1", "t"), graph.closure(List.of("t")));
    assertEquals(List.of("t", "m1", "m2"), graph.dependants("data"));
  }
}
