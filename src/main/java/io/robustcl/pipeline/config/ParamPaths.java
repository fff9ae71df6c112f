package io.robustcl.pipeline.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Points a stage's {@code validate} problem at the text it is about: a problem that starts
 * with a param path ({@code claims[1].condition: ...}, {@code layout.rows[2].cells[0]: ...})
 * is reported at that node's line, as far down the path as the file has it.
 */
final class ParamPaths {

  /** A param name, then any {@code [index]} or {@code .key} steps. */
  private static final Pattern PATH = Pattern.compile("^(?:param )?'?([A-Za-z][A-Za-z0-9_-]*)'?((?:\\[\\d+]|\\.[A-Za-z0-9_-]+)*)");
  private static final Pattern STEP = Pattern.compile("\\[(\\d+)]|\\.([A-Za-z0-9_-]+)");

  private ParamPaths() {}

  /** The location of the node the problem's leading path names, else {@code fallback}. */
  static Location locate(String problem, Map<String, YamlNode.Entry> params, Location fallback) {
    Matcher path = PATH.matcher(problem);
    if (!path.find()) {
      return fallback;
    }
    YamlNode.Entry param = params.get(path.group(1));
    if (param == null) {
      return fallback;
    }
    Location at = param.keyLocation();
    YamlNode node = param.value();
    Matcher step = STEP.matcher(path.group(2));
    while (step.find()) {
      if (step.group(1) != null && node instanceof YamlNode.Sequence sequence) {
        int index = Integer.parseInt(step.group(1));
        if (index >= sequence.items().size()) {
          break;
        }
        node = sequence.items().get(index);
        at = node.location();
      } else if (step.group(2) != null && node instanceof YamlNode.Mapping mapping
          && mapping.entries().containsKey(step.group(2))) {
        YamlNode.Entry entry = mapping.entries().get(step.group(2));
        node = entry.value();
        at = node.location();
      } else {
        break;
      }
    }
    return at;
  }
}
