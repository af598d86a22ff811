package data.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerTest {
    @Test
    void lowerCasesAndSplitsOnNonLetters() {
        assertEquals(List.of("this", "movie", "was", "great", "br", "ten", "out", "of"),
                Tokenizer.tokens("This MOVIE was GREAT!!!<br />Ten-out-of 10"));
    }

    @Test
    void keepsApostrophesInsideWordsOnly() {
        assertEquals(List.of("don't", "rock'n'roll", "quoted", "it's", "ends", "o", "neill"),
                Tokenizer.tokens("Don't rock'n'roll 'quoted' it's ends' o''neill"));
    }

    @Test
    void typographicApostrophesCountAsApostrophes() {
        assertEquals(List.of("don't", "can't"), Tokenizer.tokens("Don\u2019t can\u02BCt"));
    }

    @Test
    void lettersOfAnyScriptAreLetters() {
        assertEquals(List.of("café", "naïve", "straße", "фильм"), Tokenizer.tokens("Café, NAÏVE; Straße 3 Фильм"));
    }

    @Test
    void emptyAndSeparatorOnlyTextHasNoWords() {
        assertEquals(List.of(), Tokenizer.tokens(""));
        assertEquals(List.of(), Tokenizer.tokens(" 123 ... ' -- "));
    }
}
