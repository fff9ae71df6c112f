package io.robustcl.stages;

import io.robustcl.pipeline.InputPort;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.ParamType;
import io.robustcl.pipeline.Params;
import io.robustcl.pipeline.Stage;
import io.robustcl.pipeline.StageContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

/**
 * Stage type {@code table}: collects metrics of its input artifacts into a paper's layout
 * (see {@link TableLayout}) and writes {@code table.md}, {@code table.csv}, {@code table.tex}
 * and {@code table.json}, each cell showing our value beside the paper's. Pure: no ML.
 */
public final class TableStage implements Stage {

  static final String CELLS = "cells";

  @Override
  public String doc() {
    return "renders a paper table from its inputs' metrics, ours beside the paper's numbers";
  }

  @Override
  public List<ParamSpec> params() {
    return List.of(
        ParamSpec.string("title", null, "caption, e.g. the paper's table title"),
        new ParamSpec("layout", ParamType.MAP, null,
            "corner, groups (header rows of {label, span}), columns, rows ({label, cells} or {section})",
            com.google.common.collect.ImmutableList.of(), null, null),
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
      TableLayout.parse("layout", params.getMap("layout"));
      return List.of();
    } catch (IllegalArgumentException e) {
      return List.of("param " + e.getMessage());
    }
  }

  @Override
  public void run(StageContext ctx) throws Exception {
    Params params = ctx.params();
    TableLayout layout = TableLayout.parse("layout", params.getMap("layout"));
    ResolvedTable table = ResolvedTable.resolve(
        params.getString("title"), params.getString("note"), layout, ctx.inputs(CELLS), params.getInt("digits"));
    write(ctx, "table.md", MarkdownTable.render(table));
    write(ctx, "table.csv", CsvTable.render(table));
    write(ctx, "table.tex", LatexTable.render(table));
    write(ctx, "table.json", JsonTable.render(table));
    int filled = 0;
    for (var row : table.ours()) {
      for (Double value : row) {
        if (value != null) {
          filled++;
        }
      }
    }
    ctx.putMetric("cells", filled);
  }

  private static void write(StageContext ctx, String name, String text) throws java.io.IOException {
    Files.writeString(ctx.outputDir().resolve(name), text, StandardCharsets.UTF_8);
  }
}
