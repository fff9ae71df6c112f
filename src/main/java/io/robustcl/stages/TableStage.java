package io.robustcl.stages;

import com.google.common.collect.ImmutableList;
import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.ParamType;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.StageContext;
import io.robustcl.report.Claim;
import io.robustcl.report.ClaimResult;
import io.robustcl.report.ResolvedTable;
import io.robustcl.report.TableFiles;
import io.robustcl.report.TableLayout;
import java.util.List;

/**
 * Stage type {@code table}: collects metrics of its input artifacts into a paper's layout
 * (see {@link TableLayout}), checks the paper's claims on them (see {@link Claim}) and writes
 * {@code table.md}, {@code table.csv}, {@code table.tex} and {@code table.json} through
 * {@link TableFiles}. Pure: no ML.
 */
public final class TableStage implements Stage {

  static final String CELLS = "cells";

  @Override
  public int version() {
    // 2: markdown folds column groups into the labels; claims; row and column ids in table.json.
    // 3: each claim says whether its verdict is within the test-set noise.
    // 4: the claims heading counts the verdicts without a noise estimate; cells scored on the same
    //    test images are paired (their outcomes.json).
    return 4;
  }

  @Override
  public String doc() {
    return "renders a paper table from its inputs' metrics, ours beside the paper's numbers, and checks its claims";
  }

  @Override
  public List<ParamSpec> params() {
    return List.of(
        ParamSpec.string("title", null, "caption, e.g. the paper's table title"),
        new ParamSpec("layout", ParamType.MAP, null,
            "corner, groups (header rows of {label, span}), columns (label or {label, id}), rows ({label, id?, cells} or {section})",
            ImmutableList.of(), null, null),
        new ParamSpec("claims", ParamType.LIST, ImmutableList.of(),
            "the paper's claims: [{statement: \"quote\", condition: \"rocl.linf_8 > simclr.linf_8 + 10\"}] over cells row_id.column_id",
            ImmutableList.of(), null, null),
        ParamSpec.string("note", "Each cell: ours / paper (accuracy %).", "line under the table"),
        ParamSpec.integer("digits", 2, "decimals shown for our values").atLeast(0).atMost(6));
  }

  @Override
  public List<InputPort> inputs() {
    return List.of(InputPort.many(CELLS, "artifacts whose metrics fill the cells (any kind)"));
  }

  @Override
  public String outputKind() {
    return "table";
  }

  @Override
  public List<String> validate(Params params) {
    try {
      claims(params, layout(params));
      return List.of();
    } catch (IllegalArgumentException e) {
      return List.of(e.getMessage());
    }
  }

  @Override
  public void run(StageContext ctx) throws Exception {
    Params params = ctx.params();
    TableLayout layout = layout(params);
    ResolvedTable table = ResolvedTable.resolve(params.getString("title"), params.getString("note"), layout,
        claims(params, layout), ctx.inputs(CELLS), params.getInt("digits"));
    TableFiles.write(table, ctx.outputDir());
    int filled = 0;
    for (var row : table.ours()) {
      for (Double value : row) {
        if (value != null) {
          filled++;
        }
      }
    }
    ctx.putMetric("cells", filled);
    ctx.putMetric("claims", table.claims().size());
    ctx.putMetric("claims_holding", table.claims().stream().filter(ClaimResult::holds).count());
    ctx.putMetric("claims_within_noise",
        table.claims().stream().filter(c -> c.certainty() == ClaimResult.Certainty.WITHIN_NOISE).count());
  }

  private static TableLayout layout(Params params) {
    return TableLayout.parse("layout", params.getMap("layout"));
  }

  private static ImmutableList<Claim> claims(Params params, TableLayout layout) {
    return Claim.parseAll("claims", (List<?>) params.get("claims"), layout);
  }
}
