package io.ganglion.reflex.pii;

import java.util.List;

/**
 * The names of the built-in PII and secret types, as they appear in findings, placeholders
 * ({@code [EMAIL_1]}) and configuration keys ({@code reflex.pii.actions.email}).
 */
public final class PiiTypes {

  private PiiTypes() {
  }

  public static final String EMAIL = "email";
  public static final String PHONE = "phone";
  public static final String CREDIT_CARD = "credit_card";
  public static final String IBAN = "iban";
  public static final String SSN = "ssn";
  public static final String IPV4 = "ipv4";
  public static final String IPV6 = "ipv6";
  /** A credential with a well-known provider prefix (OpenAI, Anthropic, GitHub, Slack, AWS, Google, GitLab). */
  public static final String API_KEY = "api_key";
  public static final String JWT = "jwt";
  /** A token that looks random (high Shannon entropy) but carries no known prefix. */
  public static final String SECRET = "secret";

  /** Every built-in type. */
  public static final List<String> BUILT_IN =
    List.of(EMAIL, PHONE, CREDIT_CARD, IBAN, SSN, IPV4, IPV6, API_KEY, JWT, SECRET);
}
