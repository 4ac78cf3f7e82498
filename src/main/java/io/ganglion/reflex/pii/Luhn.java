package io.ganglion.reflex.pii;

/**
 * The Luhn (mod 10) check used by payment card numbers.
 */
public final class Luhn {

  private Luhn() {
  }

  /** True when the first {@code n} digits of {@code digits} (most significant first) pass the Luhn check. */
  public static boolean isValid(int[] digits, int n) {
    int sum = 0;
    boolean doubleIt = false;
    for (int i = n - 1; i >= 0; i--) {
      int d = digits[i];
      if (doubleIt) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      doubleIt = !doubleIt;
    }
    return sum % 10 == 0;
  }

  /** True when {@code number}, digits only, passes the Luhn check. */
  public static boolean isValid(String number) {
    int[] digits = new int[number.length()];
    for (int i = 0; i < digits.length; i++) {
      char c = number.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      digits[i] = c - '0';
    }
    return digits.length > 0 && isValid(digits, digits.length);
  }
}
