package io.robustcl.report;

import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.Map;

/**
 * A paper's qualitative claim about a table, checked on our numbers: a one-line
 * {@code statement} quoting the paper and a {@link ClaimCondition} over the table's cells.
 *
 * <pre>{@code
 * claims:
 *   - statement: "RoCL is far more robust than SimCLR (Table 1)"
 *     condition: "rocl.linf_8 > simclr.linf_8 + 10"
 * }</pre>
 */
public record Claim(String statement, ClaimCondition condition) {

  /**
   * Parses a table's {@code claims} param against its layout.
   *
   * @throws TableParamException naming {@code claims[i]} (and the position in a condition)
   */
  public static ImmutableList<Claim> parseAll(String param, List<?> entries, TableLayout layout) {
    CellIndex cells = new CellIndex(layout);
    ImmutableList.Builder<Claim> out = ImmutableList.builder();
    for (int i = 0; i < entries.size(); i++) {
      String path = param + "[" + i + "]";
      if (!(entries.get(i) instanceof Map<?, ?> entry)) {
        throw new TableParamException(path + ": a claim is {statement: \"...\", condition: \"...\"}, got " + entries.get(i));
      }
      for (Object key : entry.keySet()) {
        if (!key.equals("statement") && !key.equals("condition")) {
          throw new TableParamException(path + ": unknown key '" + key + "'; a claim has statement and condition");
        }
      }
      Object statement = entry.get("statement");
      if (!(statement instanceof String s) || s.isBlank()) {
        throw new TableParamException(path + ": missing 'statement' (a one-line quote of the paper's claim)");
      }
      Object condition = entry.get("condition");
      if (!(condition instanceof String c)) {
        throw new TableParamException(path + ".condition: missing; give a condition over the cells, "
            + "e.g. \"rocl.linf_8 > simclr.linf_8 + 10\"");
      }
      out.add(new Claim(s, ClaimCondition.parse(path + ".condition", c, cells)));
    }
    return out.build();
  }
}
