package io.ganglion.retrieval.ingest;

import java.io.IOException;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * PDF to structured text with PDFBox: text in reading order, paragraphs as PDFBox detects them, every page break a
 * paragraph break. PDFs carry no reliable heading structure, so there are no headings; the title is the document
 * information's title. Password-protected and copy-protected PDFs are refused.
 */
public final class PdfParser implements DocumentParser {

  @Override
  public ParsedDocument parse(byte[] content) throws MalformedDocumentException {
    try (PDDocument pdf = Loader.loadPDF(content)) {
      if (!pdf.getCurrentAccessPermission().canExtractContent()) {
        throw new MalformedDocumentException("the PDF forbids text extraction");
      }
      PDFTextStripper stripper = new PDFTextStripper();
      stripper.setSortByPosition(true);
      stripper.setParagraphEnd("\n\n");
      StructuredTextBuilder out = new StructuredTextBuilder();
      for (int page = 1; page <= pdf.getNumberOfPages(); page++) {
        stripper.setStartPage(page);
        stripper.setEndPage(page);
        for (String paragraph : stripper.getText(pdf).split("\\n\\s*\\n")) {
          out.paragraph(paragraph);
        }
      }
      String title = pdf.getDocumentInformation().getTitle();
      return out.build(title == null || title.isBlank() ? null : title.strip());
    } catch (InvalidPasswordException e) {
      throw new MalformedDocumentException("the PDF is password-protected", e);
    } catch (IOException e) {
      throw new MalformedDocumentException("the file is not a readable PDF: " + e.getMessage(), e);
    }
  }

  @Override
  public ParsedDocument parse(String content) throws MalformedDocumentException {
    throw new MalformedDocumentException("a PDF must be uploaded as a file, not sent as text");
  }
}
