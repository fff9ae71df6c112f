package io.robustcl.stages;

import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.ParamType;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.StageContext;
import java.util.List;

/**
 * Stage type {@code black-box}: the accuracy (%) of each {@code targets} classifier on each
 * {@code sources} adversarial set, metric {@code acc.<target name>.<source name>}. A pair whose
 * source was made from the target's own encoder (the paper's "-" cells) is left out: the lineage
 * in the adversarial set's {@code source.json} matches the target's.
 */
public final class BlackBoxStage implements Stage {

  @Override
  public String doc() {
    return "accuracy of each target classifier on each source's adversarial set (own attacks left out)";
  }

  @Override
  public List<ParamSpec> params() {
    return List.of(
        ParamSpec.list("target_names", ParamType.STRING_LIST, null, "one name per targets input, used in metric names"),
        ParamSpec.list("source_names", ParamType.STRING_LIST, null, "one name per sources input, used in metric names"),
        ParamSpec.integer("batch_size", 256, "images per batch").atLeast(1));
  }

  @Override
  public List<InputPort> inputs() {
    return List.of(
        InputPort.many("targets", "classifiers under attack", ArtifactKinds.MODEL, ArtifactKinds.CLASSIFIER),
        InputPort.many("sources", "adversarial sets from the attack stage", ArtifactKinds.ADVERSARIAL_SET));
  }

  @Override
  public String outputKind() {
    return ArtifactKinds.METRICS;
  }

  @Override
  public List<String> validate(Params params) {
    java.util.ArrayList<String> problems = new java.util.ArrayList<>();
    for (String param : List.of("target_names", "source_names")) {
      List<String> names = params.getStringList(param);
      if (names.stream().distinct().count() != names.size()) {
        problems.add("param '" + param + "': names must be distinct, got " + names);
      }
      for (String name : names) {
        if (!name.matches("[A-Za-z0-9_+()-]+")) {
          problems.add("param '" + param + "': name '" + name + "' may use letters, digits and _+()- only (no dots)");
        }
      }
    }
    return problems;
  }

  @Override
  public void run(StageContext ctx) throws Exception {
    new BlackBoxRun(ctx).run();
  }
}
