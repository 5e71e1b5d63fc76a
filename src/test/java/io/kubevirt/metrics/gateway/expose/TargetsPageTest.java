package io.kubevirt.metrics.gateway.expose;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TargetsPageTest {

    @Test
    void escapesWhatATargetLabelMayHoldForElementsAndAttributes() {
        assertEquals("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; pod=&quot;a&quot;",
                TargetsPage.escape("<script>alert('x')</script> & pod=\"a\""));
    }
}
