package io.robustcl.report;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A claim's condition: a small expression over a table's cells, parsed once (when the
 * pipeline file is validated) and evaluated on our numbers. It can only read cells and do
 * arithmetic: no names, calls or side effects beyond those below.
 *
 * <pre>
 *   rocl.linf_8 &gt; simclr.linf_8 + 10
 *   rle.linf_8 &gt; le.linf_8 and rle.linf_16 &gt; le.linf_16
 *   abs(rocl.clean - rocl.clean.paper) &lt;= 10 or not (at.linf_8 &lt; 5)
 * </pre>
 *
 * <ul>
 *   <li>{@code row.column} is our value of the cell in the row with id {@code row} and the
 *       column with id {@code column} (ids: {@link TableLayout}); {@code row.column.paper} is
 *       the paper's value of that cell.
 *   <li>Numbers ({@code 10}, {@code 0.5}), {@code + - * /}, unary {@code -}, parentheses,
 *       and {@code min(a, b, ...)}, {@code max(...)}, {@code mean(...)}, {@code abs(x)}.
 *   <li>One comparison per operand pair: {@code < <= > >= == !=}; chain them with
 *       {@code and}, {@code or}, {@code not} (precedence: not, and, or).
 * </ul>
 * The whole condition must be a comparison or a logical combination of them. A NaN value
 * makes every comparison with it false.
 */
public final class ClaimCondition {

  private static final Set<String> FUNCTIONS = Set.of("min", "max", "mean", "abs");

  /** A cell the condition reads, and where it is written in the text. */
  public record CellRef(String name, int row, int column, boolean paper, int start, int end) {}

  private final String text;
  private final Node root;
  private final ImmutableList<CellRef> refs;

  private ClaimCondition(String text, Node root, ImmutableList<CellRef> refs) {
    this.text = text;
    this.root = root;
    this.refs = refs;
  }

  /**
   * Parses and type-checks {@code text} against the table's cells.
   *
   * @param path param path of the condition for errors, e.g. {@code claims[0].condition}
   * @throws TableParamException naming the path, the position in the text and the fix
   */
  static ClaimCondition parse(String path, String text, CellIndex cells) {
    Parser parser = new Parser(path, text, cells);
    Node root = parser.parseAll();
    return new ClaimCondition(text, root, ImmutableList.copyOf(parser.refs));
  }

  /** The condition as written. */
  public String text() {
    return text;
  }

  /** The cells it reads, in order of appearance (a cell named twice appears twice). */
  public ImmutableList<CellRef> refs() {
    return refs;
  }

  /**
   * Whether the condition holds for the given values.
   *
   * @param values one value per {@link #refs()} entry, in the same order
   */
  public boolean holds(double[] values) {
    return root.bool(values);
  }

  /**
   * How many standard errors of their difference two sides of a comparison must be apart for
   * the comparison to count as decided: 1.96, a two-sided test at the 5 % level.
   */
  public static final double NOISE_Z = 1.96;

  /**
   * Whether the verdict on {@code values} could be noise: each comparison whose sides differ by
   * less than {@link #NOISE_Z} standard errors of their difference is undecided, and the condition
   * is evaluated in three-valued (Kleene) logic, so the verdict is within noise when the
   * undecided comparisons could change it. The variance of a difference is propagated to first
   * order from the covariance of the cells it reads: {@code g' C g}, g its derivatives.
   *
   * @param values one value per {@link #refs()} entry, in the same order
   * @param covariance per pair of entries, the covariance of their values: a standard error squared
   *     on the diagonal (0 for a paper value or a cell with no known error), that variance again for
   *     two entries naming one cell, and 0 for cells taken as independent
   */
  public boolean withinNoise(double[] values, double[][] covariance) {
    return root.truth(values, covariance) == Truth.UNDECIDED;
  }

  /** The text with each cell replaced by its value, e.g. {@code "42.10 > 3.20 + 10"}. */
  public String withValues(double[] values, int digits) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    for (int i = 0; i < refs.size(); i++) {
      CellRef ref = refs.get(i);
      out.append(text, at, ref.start()).append(String.format(Locale.ROOT, "%." + digits + "f", values[i]));
      at = ref.end();
    }
    return out.append(text.substring(at)).toString();
  }

  // ---- syntax tree -------------------------------------------------------------------

  private enum Type { NUMBER, BOOLEAN }

  private enum Truth {
    TRUE, FALSE, UNDECIDED;

    static Truth of(boolean value) {
      return value ? TRUE : FALSE;
    }
  }

  /**
   * A number with its derivative with respect to each cell reference, for first-order error
   * propagation. Two references to one cell stay two entries; their covariance ties them.
   */
  private record Dual(double value, double[] grad) {
    static Dual constant(double value, int cells) {
      return new Dual(value, new double[cells]);
    }

    Dual combine(Dual other, double self, double theirs, double value) {
      double[] g = new double[grad.length];
      for (int i = 0; i < g.length; i++) {
        g[i] = self * grad[i] + theirs * other.grad[i];
      }
      return new Dual(value, g);
    }

    Dual scaled(double factor, double value) {
      return combine(this, factor, 0, value);
    }
  }

  private sealed interface Node {
    Type type();

    default double num(double[] v) {
      throw new IllegalStateException("not a number: " + this);
    }

    default boolean bool(double[] v) {
      throw new IllegalStateException("not a boolean: " + this);
    }

    default Dual dual(double[] v) {
      throw new IllegalStateException("not a number: " + this);
    }

    default Truth truth(double[] v, double[][] covariance) {
      throw new IllegalStateException("not a boolean: " + this);
    }
  }

  private record Literal(double value) implements Node {
    public Type type() {
      return Type.NUMBER;
    }

    public double num(double[] v) {
      return value;
    }

    public Dual dual(double[] v) {
      return Dual.constant(value, v.length);
    }
  }

  private record Cell(int index) implements Node {
    public Type type() {
      return Type.NUMBER;
    }

    public double num(double[] v) {
      return v[index];
    }

    public Dual dual(double[] v) {
      Dual out = Dual.constant(v[index], v.length);
      out.grad()[index] = 1;
      return out;
    }
  }

  private record Negate(Node operand) implements Node {
    public Type type() {
      return Type.NUMBER;
    }

    public double num(double[] v) {
      return -operand.num(v);
    }

    public Dual dual(double[] v) {
      Dual a = operand.dual(v);
      return a.scaled(-1, -a.value());
    }
  }

  private record Arithmetic(char op, Node left, Node right) implements Node {
    public Type type() {
      return Type.NUMBER;
    }

    public double num(double[] v) {
      double a = left.num(v);
      double b = right.num(v);
      return switch (op) {
        case '+' -> a + b;
        case '-' -> a - b;
        case '*' -> a * b;
        default -> a / b;
      };
    }

    public Dual dual(double[] v) {
      Dual a = left.dual(v);
      Dual b = right.dual(v);
      double x = a.value();
      double y = b.value();
      return switch (op) {
        case '+' -> a.combine(b, 1, 1, x + y);
        case '-' -> a.combine(b, 1, -1, x - y);
        case '*' -> a.combine(b, y, x, x * y);
        default -> a.combine(b, 1 / y, -x / (y * y), x / y);
      };
    }
  }

  private record Call(String function, List<Node> args) implements Node {
    public Type type() {
      return Type.NUMBER;
    }

    public double num(double[] v) {
      double[] x = args.stream().mapToDouble(a -> a.num(v)).toArray();
      return switch (function) {
        case "abs" -> Math.abs(x[0]);
        case "min" -> java.util.Arrays.stream(x).min().orElseThrow();
        case "max" -> java.util.Arrays.stream(x).max().orElseThrow();
        default -> java.util.Arrays.stream(x).average().orElseThrow();
      };
    }

    public Dual dual(double[] v) {
      List<Dual> x = args.stream().map(a -> a.dual(v)).toList();
      switch (function) {
        case "abs" -> {
          Dual a = x.get(0);
          return a.scaled(a.value() < 0 ? -1 : 1, Math.abs(a.value()));
        }
        case "min", "max" -> {
          // the derivative of the extreme argument: the others do not move it to first order
          Dual best = x.get(0);
          for (Dual a : x) {
            if (function.equals("min") ? a.value() < best.value() : a.value() > best.value()) {
              best = a;
            }
          }
          return best;
        }
        default -> {
          Dual sum = Dual.constant(0, v.length);
          for (Dual a : x) {
            sum = sum.combine(a, 1, 1, sum.value() + a.value());
          }
          return sum.scaled(1.0 / x.size(), sum.value() / x.size());
        }
      }
    }
  }

  private record Comparison(String op, Node left, Node right) implements Node {
    public Type type() {
      return Type.BOOLEAN;
    }

    public boolean bool(double[] v) {
      double a = left.num(v);
      double b = right.num(v);
      return switch (op) {
        case "<" -> a < b;
        case "<=" -> a <= b;
        case ">" -> a > b;
        case ">=" -> a >= b;
        case "==" -> a == b;
        default -> a != b && !Double.isNaN(a) && !Double.isNaN(b);
      };
    }

    public Truth truth(double[] v, double[][] covariance) {
      double[] g = left.dual(v).combine(right.dual(v), 1, -1, 0).grad();
      double margin = left.num(v) - right.num(v);
      double variance = 0;
      for (int i = 0; i < v.length; i++) {
        for (int j = 0; j < v.length; j++) {
          variance += g[i] * covariance[i][j] * g[j];
        }
      }
      if (variance > 0 && Math.abs(margin) < NOISE_Z * Math.sqrt(variance)) {
        return Truth.UNDECIDED;
      }
      return Truth.of(bool(v));
    }
  }

  private record Logic(boolean and, Node left, Node right) implements Node {
    public Type type() {
      return Type.BOOLEAN;
    }

    public boolean bool(double[] v) {
      return and ? left.bool(v) && right.bool(v) : left.bool(v) || right.bool(v);
    }

    public Truth truth(double[] v, double[][] covariance) {
      Truth a = left.truth(v, covariance);
      Truth b = right.truth(v, covariance);
      Truth absorbing = and ? Truth.FALSE : Truth.TRUE;
      if (a == absorbing || b == absorbing) {
        return absorbing;
      }
      return a == Truth.UNDECIDED || b == Truth.UNDECIDED ? Truth.UNDECIDED : a;
    }
  }

  private record Not(Node operand) implements Node {
    public Type type() {
      return Type.BOOLEAN;
    }

    public boolean bool(double[] v) {
      return !operand.bool(v);
    }

    public Truth truth(double[] v, double[][] covariance) {
      Truth a = operand.truth(v, covariance);
      return a == Truth.UNDECIDED ? a : Truth.of(a == Truth.FALSE);
    }
  }

  // ---- parser: recursive descent over a hand-rolled lexer ------------------------------

  private static final class Parser {
    private final String path;
    private final String text;
    private final CellIndex cells;
    private final List<CellRef> refs = new ArrayList<>();
    private int pos;

    Parser(String path, String text, CellIndex cells) {
      this.path = path;
      this.text = text;
      this.cells = cells;
    }

    Node parseAll() {
      if (text.isBlank()) {
        throw error(0, "the condition is empty; write e.g. rocl.linf_8 > simclr.linf_8");
      }
      Node node = or();
      skipSpace();
      if (pos < text.length()) {
        throw error(pos, "unexpected '" + text.charAt(pos) + "'" + (peekComparison() != null
            ? "; comparisons do not chain, join them with `and`" : ""));
      }
      expect(node, Type.BOOLEAN, 0, "the condition must compare numbers (e.g. a.b > c.d), not compute one");
      return node;
    }

    private Node or() {
      int start = skipSpace();
      Node left = and();
      while (keyword("or")) {
        expect(left, Type.BOOLEAN, start, "`or` joins comparisons");
        int at = skipSpace();
        Node right = and();
        expect(right, Type.BOOLEAN, at, "`or` joins comparisons");
        left = new Logic(false, left, right);
      }
      return left;
    }

    private Node and() {
      int start = skipSpace();
      Node left = not();
      while (keyword("and")) {
        expect(left, Type.BOOLEAN, start, "`and` joins comparisons");
        int at = skipSpace();
        Node right = not();
        expect(right, Type.BOOLEAN, at, "`and` joins comparisons");
        left = new Logic(true, left, right);
      }
      return left;
    }

    private Node not() {
      if (keyword("not")) {
        int at = skipSpace();
        Node operand = not();
        expect(operand, Type.BOOLEAN, at, "`not` negates a comparison");
        return new Not(operand);
      }
      return comparison();
    }

    private Node comparison() {
      int start = skipSpace();
      Node left = sum();
      String op = peekComparison();
      if (op == null) {
        return left;
      }
      expect(left, Type.NUMBER, start, "'" + op + "' compares numbers");
      pos += op.length();
      int at = skipSpace();
      Node right = sum();
      expect(right, Type.NUMBER, at, "'" + op + "' compares numbers");
      return new Comparison(op, left, right);
    }

    private Node sum() {
      Node left = product();
      while (true) {
        skipSpace();
        if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
          char op = text.charAt(pos++);
          left = new Arithmetic(op, number(left), number(product()));
        } else {
          return left;
        }
      }
    }

    private Node product() {
      Node left = unary();
      while (true) {
        skipSpace();
        if (pos < text.length() && (text.charAt(pos) == '*' || text.charAt(pos) == '/')) {
          char op = text.charAt(pos++);
          left = new Arithmetic(op, number(left), number(unary()));
        } else {
          return left;
        }
      }
    }

    private Node unary() {
      skipSpace();
      if (pos < text.length() && text.charAt(pos) == '-') {
        pos++;
        return new Negate(number(unary()));
      }
      return atom();
    }

    private Node atom() {
      int start = skipSpace();
      if (start >= text.length()) {
        throw error(start, "the condition ends early; a number or a cell (row.column) is missing");
      }
      char ch = text.charAt(start);
      if (ch == '(') {
        pos++;
        Node inner = or();
        skipSpace();
        if (pos >= text.length() || text.charAt(pos) != ')') {
          throw error(pos, "missing ')' for the '(' at " + (start + 1));
        }
        pos++;
        return inner;
      }
      if (!isWordChar(ch)) {
        throw error(start, "unexpected '" + ch + "'; expected a number, a cell (row.column), a function or '('");
      }
      String word = word();
      if (word.chars().allMatch(Character::isDigit)) {
        if (pos < text.length() && text.charAt(pos) == '.') {
          pos++;
          String fraction = word();
          if (fraction.isEmpty() || !fraction.chars().allMatch(Character::isDigit)) {
            throw error(start, "bad number '" + text.substring(start, pos) + "'");
          }
          return new Literal(Double.parseDouble(word + "." + fraction));
        }
        return new Literal(Double.parseDouble(word));
      }
      if (pos < text.length() && text.charAt(pos) == '.') {
        pos++;
        String column = word();
        if (column.isEmpty()) {
          throw error(pos, "a column id must follow '" + word + ".'");
        }
        boolean paper = false;
        if (text.startsWith(".paper", pos) && (pos + 6 == text.length() || !isWordChar(text.charAt(pos + 6)))) {
          pos += 6;
          paper = true;
        }
        CellIndex.Position cell = cells.find(where(start), word, column, paper);
        refs.add(new CellRef(text.substring(start, pos), cell.row(), cell.column(), paper, start, pos));
        return new Cell(refs.size() - 1);
      }
      if (FUNCTIONS.contains(word)) {
        return call(word, start);
      }
      if (Set.of("and", "or", "not").contains(word)) {
        throw error(start, "'" + word + "' needs a comparison before it");
      }
      throw error(start, "'" + word + "' is neither a cell (row.column) nor a function (" + String.join(", ",
          new java.util.TreeSet<>(FUNCTIONS)) + "); the table's row ids are " + String.join(", ", cells.rowIds()));
    }

    private Node call(String function, int start) {
      skipSpace();
      if (pos >= text.length() || text.charAt(pos) != '(') {
        throw error(pos, function + " takes arguments in parentheses, e.g. " + function + "(a.b, c.d)");
      }
      pos++;
      List<Node> args = new ArrayList<>();
      skipSpace();
      if (pos < text.length() && text.charAt(pos) == ')') {
        throw error(pos, function + "() needs at least one argument");
      }
      while (true) {
        int at = skipSpace();
        Node arg = sum();
        expect(arg, Type.NUMBER, at, function + " takes numbers");
        args.add(arg);
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == ',') {
          pos++;
        } else if (pos < text.length() && text.charAt(pos) == ')') {
          pos++;
          break;
        } else {
          throw error(pos, "expected ',' or ')' in " + function + "(...)");
        }
      }
      if (function.equals("abs") && args.size() != 1) {
        throw error(start, "abs takes one argument, got " + args.size());
      }
      return new Call(function, List.copyOf(args));
    }

    private Node number(Node node) {
      expect(node, Type.NUMBER, pos, "arithmetic works on numbers, not on comparisons; add parentheses?");
      return node;
    }

    private void expect(Node node, Type type, int at, String why) {
      if (node.type() != type) {
        throw error(at, why);
      }
    }

    private @org.jspecify.annotations.Nullable String peekComparison() {
      skipSpace();
      for (String op : List.of("<=", ">=", "==", "!=", "<", ">")) {
        if (text.startsWith(op, pos)) {
          return op;
        }
      }
      if (pos < text.length() && text.charAt(pos) == '=') {
        throw error(pos, "'=' is not a comparison; write '=='");
      }
      return null;
    }

    private boolean keyword(String word) {
      int start = skipSpace();
      if (text.startsWith(word, start)
          && (start + word.length() == text.length() || !isWordChar(text.charAt(start + word.length())))) {
        pos = start + word.length();
        return true;
      }
      return false;
    }

    private String word() {
      int start = pos;
      while (pos < text.length() && isWordChar(text.charAt(pos))) {
        pos++;
      }
      return text.substring(start, pos);
    }

    private int skipSpace() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
      return pos;
    }

    private static boolean isWordChar(char ch) {
      return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    }

    private String where(int at) {
      return path + " (at character " + (at + 1) + " of \"" + text + "\")";
    }

    private TableParamException error(int at, String message) {
      return new TableParamException(where(at) + ": " + message);
    }
  }
}
