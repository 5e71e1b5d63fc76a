package io.kubevirt.metrics.gateway.testing;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;
import java.net.URL;

/** REST Assured requests to the gateway under test, over HTTPS (its test certificate is self-signed). */
public final class GatewayHttps {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private GatewayHttps() {
    }

    public static RequestSpecification https(URL base) {
        return given().relaxedHTTPSValidation().baseUri(base.toString());
    }

    /** GET /metrics: 200, the text format 0.0.4, the body. */
    public static String metrics(URL base) {
        return https(base).get("/metrics").then().statusCode(200).header("Content-Type", CONTENT_TYPE).extract()
                .asString();
    }
}
