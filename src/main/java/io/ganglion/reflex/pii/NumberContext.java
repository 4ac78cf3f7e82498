package io.ganglion.reflex.pii;

import java.util.regex.Pattern;

/**
 * The words just before a number that say what it is, in English, German, French, Spanish, Italian, Portuguese and
 * Dutch: a phone word ({@code tel}, {@code Handy}, {@code appelez}, {@code llámame}, {@code bellen}…) makes a bare or
 * short number a phone number; an identifier word right before it ({@code order}, {@code Rechnung}, {@code facture},
 * {@code pedido}, {@code ordine}, {@code encomenda}, {@code bestelling}…, with {@code no.}, {@code Nr.}, {@code n°}
 * or {@code #}) makes a Luhn-valid digit run an order or reference number rather than a card.
 * <p>
 * <b>NOTE</b>: stateless and thread-safe; each check reads at most {@value #PHONE_WINDOW} characters before the
 * number.
 */
final class NumberContext {

  /** How far before a number a phone word may stand. */
  static final int PHONE_WINDOW = 40;

  private NumberContext() {
  }

  private static final Pattern PHONE_WORD = Pattern.compile(
    "(?iU)\\b(?:tel|tél|telf|phone|telephone|mobile|mob|cell|cellphone|call|calls|ring|fax|whatsapp|sms"
      + "|text me|reach me|hotline|helpline|dial"
      + "|telefon\\w*|handy\\w*|mobil\\w*|rufnummer|anrufen|ruf|erreichbar|durchwahl|festnetz\\w*"
      + "|téléphone|portable|appele[rz]|appelle|joindre|joignable|standard"
      + "|teléfono|telefono|móvil|movil|celular|llam[ae]\\w*|llámame|contacto"
      + "|cellulare|chiama\\w*|numero di telefono"
      + "|telefone|telemóvel|ligue|ligar|liga-me|contato"
      + "|telefoon\\w*|mobiel|bel|bellen|gsm)\\b[^\\n]{0," + PHONE_WINDOW + "}$");

  private static final Pattern IDENTIFIER_WORD = Pattern.compile(
    "(?iU)\\b(?:order|orders|invoice|ref|reference|ticket|tracking|customer|id|sku|ean|gtin|isbn|imei|serial|batch"
      + "|item|article|parcel|shipment|case|booking|confirmation|policy|contract|account"
      + "|bestellung|bestellnummer|auftrag\\w*|rechnung\\w*|kunden\\w*|lieferung|sendung\\w*|artikel\\w*|vorgang"
      + "|aktenzeichen|vertrag\\w*|konto\\w*"
      + "|commande|facture|référence|colis|dossier|client|contrat"
      + "|pedido|factura|referencia|envío|cliente|expediente|contrato"
      + "|ordine|fattura|riferimento|spedizione|pratica|contratto"
      + "|encomenda|fatura|referência|processo"
      + "|bestelling|factuur|referentie|zending|klant\\w*|artikelnummer)"
      + "(?:\\s*(?:n[°ºo]\\.?|nr\\.?|no\\.?|num\\.?|number|nummer|num[ée]ro|número|numero))?\\s*[:#]?\\s*$");

  /** True when a phone word stands in the {@value #PHONE_WINDOW} characters before {@code start}. */
  static boolean phoneWordBefore(String text, int start) {
    int from = Math.max(0, start - PHONE_WINDOW - 16);
    return PHONE_WORD.matcher(text).region(from, start).find();
  }

  /** True when the words right before {@code start} name an order, invoice, customer or similar number. */
  static boolean identifierWordBefore(String text, int start) {
    int from = Math.max(0, start - 32);
    return IDENTIFIER_WORD.matcher(text).region(from, start).find();
  }
}
