package io.robustcl.pipeline.config;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.robustcl.pipeline.ParamSpec;
import io.robustcl.pipeline.ParamType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Turns YAML values into the normal form of {@link io.robustcl.pipeline.Params}: {@code INT}
 * params take integral numbers only (as {@code Long}), {@code FLOAT} params take numbers
 * and exact fractions such as {@code 8/255} (as {@code Double}), ranges and choices are
 * checked. Problems are reported, never thrown; a value with a problem yields null.
 */
final class ParamValues {

  private static final Pattern FRACTION =
      Pattern.compile("\\s*([-+]?\\d+(?:\\.\\d+)?)\\s*/\\s*([-+]?\\d+(?:\\.\\d+)?)\\s*");
  private static final long EXACT_INTEGER_LIMIT = 1L << 53;

  private final Problems problems;

  ParamValues(Problems problems) {
    this.problems = problems;
  }

  /** The value of {@code spec} given as {@code node}; {@code where} names the stage and param. */
  @Nullable Object typed(ParamSpec spec, YamlNode node, String where) {
    ParamType element = spec.type().elementType();
    if (element != null) {
      if (!(node instanceof YamlNode.Sequence sequence)) {
        problems.add(node.location(), where + " must be a " + spec.type().displayName() + ", e.g. "
            + example(spec.type()) + ", not " + node.describe());
        return null;
      }
      ImmutableList.Builder<Object> out = ImmutableList.builder();
      boolean ok = true;
      for (int i = 0; i < sequence.items().size(); i++) {
        Object value = scalar(spec, element, sequence.items().get(i), where + " element " + (i + 1));
        if (value == null) {
          ok = false;
        } else {
          out.add(value);
        }
      }
      return ok ? out.build() : null;
    }
    if (spec.type() == ParamType.MAP) {
      if (!(node instanceof YamlNode.Mapping)) {
        problems.add(node.location(), where + " must be a mapping, e.g. {a: 1}, not " + node.describe());
        return null;
      }
      return plain(node, where);
    }
    if (spec.type() == ParamType.LIST) {
      if (!(node instanceof YamlNode.Sequence)) {
        problems.add(node.location(), where + " must be a list, e.g. [{a: 1}], not " + node.describe());
        return null;
      }
      return plain(node, where);
    }
    return scalar(spec, spec.type(), node, where);
  }

  /**
   * Any YAML value in normal form by its own tags (ints as Long, floats as Double, ...), as
   * used for vars and {@code MAP} params; null values are problems.
   */
  @Nullable Object plain(YamlNode node, String where) {
    if (node instanceof YamlNode.Sequence sequence) {
      ImmutableList.Builder<Object> out = ImmutableList.builder();
      boolean ok = true;
      for (YamlNode item : sequence.items()) {
        Object value = plain(item, where);
        ok &= value != null;
        if (value != null) {
          out.add(value);
        }
      }
      return ok ? out.build() : null;
    }
    if (node instanceof YamlNode.Mapping mapping) {
      ImmutableSortedMap.Builder<String, Object> out = ImmutableSortedMap.naturalOrder();
      boolean ok = true;
      for (YamlNode.Entry entry : mapping.entries().values()) {
        Object value = plain(entry.value(), where + "." + entry.key());
        ok &= value != null;
        if (value != null) {
          out.put(entry.key(), value);
        }
      }
      return ok ? out.build() : null;
    }
    YamlNode.Scalar scalar = (YamlNode.Scalar) node;
    Tag tag = scalar.tag();
    if (tag.equals(Tag.INT)) {
      return parseInt(scalar, where);
    }
    if (tag.equals(Tag.FLOAT)) {
      return parseFloat(scalar, where);
    }
    if (tag.equals(Tag.BOOL)) {
      return parseBool(scalar.text());
    }
    if (tag.equals(Tag.NULL)) {
      problems.add(scalar.location(), where + " has no value; give one (write \"\" for an empty string)");
      return null;
    }
    return scalar.text();
  }

  private @Nullable Object scalar(ParamSpec spec, ParamType type, YamlNode node, String where) {
    if (!(node instanceof YamlNode.Scalar scalar) || scalar.isNull()) {
      problems.add(node.location(), where + " must be " + article(type) + ", e.g. " + example(type)
          + ", not " + node.describe());
      return null;
    }
    Object value = switch (type) {
      case STRING -> scalar.text();
      case BOOL -> scalar.tag().equals(Tag.BOOL) ? parseBool(scalar.text()) : null;
      case INT -> integral(scalar, where);
      case FLOAT -> floating(scalar, where);
      default -> throw new IllegalStateException("not a scalar type: " + type);
    };
    if (value == null) {
      if (type == ParamType.BOOL || !scalar.tag().equals(Tag.INT) && !scalar.tag().equals(Tag.FLOAT)) {
        problems.add(scalar.location(), where + " must be " + article(type) + ", e.g. " + example(type)
            + ", not " + scalar.describe());
      }
      return null;
    }
    return checked(spec, value, scalar.location(), where);
  }

  private @Nullable Object checked(ParamSpec spec, Object value, Location at, String where) {
    if (value instanceof String s && !spec.choices().isEmpty() && !spec.choices().contains(s)) {
      problems.add(at, where + " is '" + s + "', not one of " + spec.choices()
          + ClosestName.suggestion(s, spec.choices()) + "; use one of them");
      return null;
    }
    if (value instanceof Number n) {
      double d = n.doubleValue();
      if (spec.min() != null && d < spec.min()) {
        problems.add(at, where + " is " + value + ", below its minimum " + spec.min() + "; use a value " + range(spec));
        return null;
      }
      if (spec.max() != null && d > spec.max()) {
        problems.add(at, where + " is " + value + ", above its maximum " + spec.max() + "; use a value " + range(spec));
        return null;
      }
    }
    return value;
  }

  private static String range(ParamSpec spec) {
    if (spec.min() != null && spec.max() != null) {
      return "in [" + spec.min() + ", " + spec.max() + "]";
    }
    return spec.min() != null ? ">= " + spec.min() : "<= " + spec.max();
  }

  /** An INT from an int, or from a float with an integral value; strings are never ints. */
  private @Nullable Long integral(YamlNode.Scalar scalar, String where) {
    if (scalar.tag().equals(Tag.INT)) {
      return parseInt(scalar, where);
    }
    if (scalar.tag().equals(Tag.FLOAT)) {
      Double d = parseFloat(scalar, where);
      if (d == null) {
        return null;
      }
      if (d != Math.rint(d) || Math.abs(d) >= 0x1p63) {
        problems.add(scalar.location(), where + " must be an int, e.g. 10, not the float " + scalar.text());
        return null;
      }
      return (long) d.doubleValue();
    }
    return null;
  }

  /** A FLOAT from an int, a float, or a fraction string like {@code 8/255}. */
  private @Nullable Double floating(YamlNode.Scalar scalar, String where) {
    if (scalar.tag().equals(Tag.INT)) {
      Long l = parseInt(scalar, where);
      return l == null ? null : (double) l;
    }
    if (scalar.tag().equals(Tag.FLOAT)) {
      return parseFloat(scalar, where);
    }
    if (scalar.tag().equals(Tag.STR)) {
      Matcher fraction = FRACTION.matcher(scalar.text());
      if (fraction.matches()) {
        return fraction(fraction.group(1), fraction.group(2), scalar, where);
      }
    }
    return null;
  }

  /**
   * The double nearest to {@code numerator / denominator}. Integers below 2^53 are exact
   * doubles, so IEEE division is already correctly rounded (8/255 gives exactly the double
   * written 0.03137254901960784); decimals go through a 40-digit quotient.
   */
  private @Nullable Double fraction(String numerator, String denominator, YamlNode.Scalar scalar, String where) {
    BigDecimal num = new BigDecimal(numerator);
    BigDecimal den = new BigDecimal(denominator);
    if (den.signum() == 0) {
      problems.add(scalar.location(), where + " divides by zero in '" + scalar.text() + "'; fix the fraction");
      return null;
    }
    double value;
    if (isExactInteger(num) && isExactInteger(den)) {
      value = num.doubleValue() / den.doubleValue();
    } else {
      value = num.divide(den, new MathContext(40, RoundingMode.HALF_EVEN)).doubleValue();
    }
    if (!Double.isFinite(value)) {
      problems.add(scalar.location(), where + " is out of range: " + scalar.text());
      return null;
    }
    return value == 0.0 ? 0.0 : value;
  }

  private static boolean isExactInteger(BigDecimal d) {
    return d.scale() <= 0 && d.abs().compareTo(BigDecimal.valueOf(EXACT_INTEGER_LIMIT)) < 0;
  }

  private @Nullable Long parseInt(YamlNode.Scalar scalar, String where) {
    String text = scalar.text().replace("_", "");
    int sign = 1;
    if (text.startsWith("-") || text.startsWith("+")) {
      sign = text.startsWith("-") ? -1 : 1;
      text = text.substring(1);
    }
    BigInteger value;
    if (text.contains(":")) {
      value = BigInteger.ZERO; // YAML 1.1 base 60, e.g. 1:30 = 90
      for (String part : text.split(":")) {
        value = value.multiply(BigInteger.valueOf(60)).add(new BigInteger(part));
      }
    } else if (text.startsWith("0x")) {
      value = new BigInteger(text.substring(2), 16);
    } else if (text.startsWith("0b")) {
      value = new BigInteger(text.substring(2), 2);
    } else if (text.length() > 1 && text.startsWith("0")) {
      value = new BigInteger(text.substring(1), 8);
    } else {
      value = new BigInteger(text);
    }
    value = sign < 0 ? value.negate() : value;
    if (value.bitLength() > 63) {
      problems.add(scalar.location(), where + " is " + scalar.text() + ", outside the 64-bit int range");
      return null;
    }
    return value.longValueExact();
  }

  private @Nullable Double parseFloat(YamlNode.Scalar scalar, String where) {
    String text = scalar.text().replace("_", "");
    double value;
    if (text.toLowerCase().contains("inf") || text.toLowerCase().contains("nan")) {
      value = Double.NaN;
    } else if (text.contains(":")) {
      problems.add(scalar.location(), where + " uses base-60 float " + scalar.text() + "; write a decimal number");
      return null;
    } else {
      value = Double.parseDouble(text);
    }
    if (!Double.isFinite(value)) {
      problems.add(scalar.location(), where + " is " + scalar.text() + "; only finite numbers are allowed");
      return null;
    }
    return value == 0.0 ? 0.0 : value;
  }

  private static boolean parseBool(String text) {
    return switch (text.toLowerCase()) {
      case "true", "yes", "on", "y" -> true;
      default -> false;
    };
  }

  private static String article(ParamType type) {
    return type == ParamType.INT ? "an int" : "a " + type.displayName();
  }

  private static String example(ParamType type) {
    return switch (type) {
      case STRING -> "abc";
      case INT -> "10";
      case FLOAT -> "0.5 or 8/255";
      case BOOL -> "true";
      case STRING_LIST -> "[a, b]";
      case INT_LIST -> "[1, 2]";
      case FLOAT_LIST -> "[0.5, 8/255]";
      case MAP -> "{a: 1}";
      case LIST -> "[{a: 1}]";
    };
  }
}
