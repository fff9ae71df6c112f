package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableMap;
import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.ParamType;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.StageContext;
import java.util.List;
import java.util.Map;

/** Tiny stage types for config and key tests; none of them runs. */
public final class FakeStages {

  private FakeStages() {}

  /** A stage type that never runs, declaring the given params, ports and kind. */
  public record Fake(List<ParamSpec> params, List<InputPort> inputs, String outputKind, int version) implements Stage {
    @Override
    public void run(StageContext ctx) {
      throw new AssertionError("config tests never run stages");
    }

    @Override
    public List<String> validate(Params values) {
      if (values.has("seed") && values.getLong("seed") == 13) {
        return List.of("param 'seed' must not be 13 (unlucky); pick another seed");
      }
      return List.of();
    }
  }

  public static final Fake DATASET = new Fake(
      List.of(
          ParamSpec.string("source", "synthetic", "where images come from").oneOf("synthetic", "cifar10"),
          ParamSpec.integer("seed", 0L, "generator seed").atLeast(0),
          ParamSpec.string("dir", "", "data directory")),
      List.of(), "dataset", 1);

  public static final Fake PRETRAIN = new Fake(
      List.of(
          ParamSpec.integer("epochs", (Long) null, "training epochs").atLeast(1),
          ParamSpec.floating("eps", 8 / 255.0, "l_inf radius").atLeast(0).atMost(1),
          ParamSpec.floating("lambda", 256.0, "weight"),
          ParamSpec.bool("adv", true, "adversarial"),
          ParamSpec.list("lrs", ParamType.FLOAT_LIST, List.of(0.1), "learning rates"),
          ParamSpec.list("widths", ParamType.INT_LIST, List.of(1L), "widths"),
          new ParamSpec("layout", ParamType.MAP, ImmutableMap.of(), "nested settings",
              com.google.common.collect.ImmutableList.of(), null, null)),
      List.of(InputPort.one("data", "training images", "dataset")), "model", 1);

  public static final Fake TABLE = new Fake(
      List.of(ParamSpec.string("title", "t", "caption")),
      List.of(InputPort.many("sources", "rows", "model"), InputPort.one("extra", "optional", "dataset").optional()),
      "table", 1);

  /** Takes any number of artifacts of any kind. */
  public static final Fake MERGE = new Fake(
      List.of(), List.of(InputPort.many("in", "anything")), "files", 1);

  /** The registry the loader sees in tests. */
  public static Map<String, Stage> registry() {
    return ImmutableMap.of("dataset", DATASET, "pretrain", PRETRAIN, "table", TABLE, "merge", MERGE);
  }
}
