/*
 * test_helm_render.c — renders deploy/helm/wasmgate with the real Helm 4 binary (`helm
 * template`) under several sets of values and checks the objects: the kinds, the probes and
 * security context of the Deployment, the caBundle matching the generated CA and naming the
 * Service's DNS name, cert-manager wiring, mTLS, module sources, failures on bad values —
 * and that the rendered wasmgate configuration parses with the server's own parser.
 *
 *   server_helm_render HELM CHART_DIR
 */
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config.h"
#include "srvtest.h"
#include "wasmgate/k8s.h"
#include "yaml_json.h"

static const char *helm, *chart;

typedef struct render {
    int status;
    json_t *objects; /* array of every rendered object */
    char *stderr_text;
} render;

/* Runs `helm template t CHART -n wg ARGS` and parses every YAML document it prints. */
static render helm_template(const char *args)
{
    render r = {0, json_array(), NULL};
    char errpath[600], cmd[2000];
    snprintf(errpath, sizeof errpath, "%s/helm.err", srvt_tmpdir());
    snprintf(cmd, sizeof cmd, "'%s' template t '%s' --namespace wg %s 2>'%s'", helm, chart, args,
             errpath);
    FILE *p = popen(cmd, "r");
    char *out = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            cap = cap ? cap * 2 : 65536;
            out = realloc(out, cap);
        }
        size_t n = fread(out + len, 1, cap - len - 1, p);
        if (n == 0) break;
        len += n;
    }
    out[len] = '\0';
    int rc = pclose(p);
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.stderr_text = wgt_read_file(errpath, NULL);
    yaml_parser_t yp;
    yaml_parser_initialize(&yp);
    yaml_parser_set_input_string(&yp, (const unsigned char *)out, len);
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(&yp, &doc)) {
            CHECK(!"helm printed invalid YAML");
            break;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (!root) {
            yaml_document_delete(&doc);
            break;
        }
        char msg[256], path[256];
        int line;
        json_t *obj = wgsrv_yaml_to_json(&doc, root, msg, sizeof msg, &line, path, sizeof path);
        if (obj && !json_is_null(obj))
            json_array_append_new(r.objects, obj);
        else
            json_decref(obj);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&yp);
    free(out);
    return r;
}

static void render_free(render *r)
{
    json_decref(r->objects);
    free(r->stderr_text);
}

static json_t *find(const render *r, const char *kind)
{
    size_t i;
    json_t *o;
    json_array_foreach(r->objects, i, o)
    {
        const char *k = json_string_value(json_object_get(o, "kind"));
        if (k && strcmp(k, kind) == 0) return o;
    }
    return NULL;
}

/* json at a dotted path; [N] indexes arrays: "spec.template.spec.containers[0].args" */
static json_t *at(json_t *root, const char *path)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *v = root;
    for (char *tok = strtok(buf, "."); tok && v; tok = strtok(NULL, ".")) {
        char *br = strchr(tok, '[');
        if (br) *br = '\0';
        if (*tok) v = json_object_get(v, tok);
        while (br && v) {
            v = json_array_get(v, (size_t)atoi(br + 1));
            br = strchr(br + 1, '[');
        }
    }
    return v;
}

static const char *str(json_t *root, const char *path)
{
    return json_string_value(at(root, path));
}

static void defaults_render_a_complete_secure_deployment(void)
{
    render r = helm_template("");
    if (!CHECK_INT(r.status, 0)) fprintf(stderr, "%s\n", r.stderr_text);
    static const char *const kinds[] = {"ServiceAccount",
                                        "ConfigMap",
                                        "Secret",
                                        "Service",
                                        "Deployment",
                                        "ValidatingWebhookConfiguration",
                                        "PodDisruptionBudget",
                                        NULL};
    for (int i = 0; kinds[i]; i++)
        if (!CHECK(find(&r, kinds[i]) != NULL)) fprintf(stderr, "  missing %s\n", kinds[i]);
    CHECK(find(&r, "MutatingWebhookConfiguration") == NULL); /* off by default */

    json_t *d = find(&r, "Deployment");
    CHECK_INT(json_integer_value(at(d, "spec.replicas")), 2);
    json_t *c = at(d, "spec.template.spec.containers[0]");
    CHECK_STR(str(c, "args[0]"), "serve");
    CHECK_STR(str(c, "args[2]"), "/etc/wasmgate/config/wasmgate.yaml");
    CHECK_STR(str(c, "readinessProbe.httpGet.path"), "/readyz");
    CHECK_STR(str(c, "readinessProbe.httpGet.scheme"), "HTTPS");
    CHECK_STR(str(c, "livenessProbe.httpGet.path"), "/healthz");
    CHECK_INT(json_integer_value(at(c, "ports[0].containerPort")), 8443);
    CHECK(json_is_true(at(d, "spec.template.spec.securityContext.runAsNonRoot")));
    CHECK(json_is_true(at(c, "securityContext.readOnlyRootFilesystem")));
    CHECK(json_is_false(at(c, "securityContext.allowPrivilegeEscalation")));
    CHECK_STR(str(c, "securityContext.capabilities.drop[0]"), "ALL");
    CHECK(json_is_object(at(c, "resources.requests")));
    CHECK(json_is_false(at(d, "spec.template.spec.automountServiceAccountToken")));
    CHECK_STR(str(d, "spec.template.spec.volumes[1].configMap.name"), "wasmgate-modules");

    json_t *svc = find(&r, "Service");
    CHECK_INT(json_integer_value(at(svc, "spec.ports[0].port")), 443);
    CHECK_STR(str(svc, "spec.ports[0].targetPort"), "https");

    /* The rendered configuration is one the server accepts. */
    const char *yaml =
        json_string_value(json_object_get(at(find(&r, "ConfigMap"), "data"), "wasmgate.yaml"));
    char err[4096];
    wgsrv_config *cfg = yaml ? wgsrv_config_parse(yaml, strlen(yaml), "configmap",
                                                  "/etc/wasmgate/config", err, sizeof err)
                             : NULL;
    if (CHECK(cfg != NULL)) {
        CHECK_STR(cfg->listen_host, "0.0.0.0");
        CHECK_INT(cfg->listen_port, 8443);
        CHECK_STR(cfg->cert_file, "/etc/wasmgate/tls/tls.crt");
        CHECK(cfg->client_ca_file == NULL);
        CHECK_INT(cfg->nmodules[WGSRV_ADMISSION], 1);
        wgsrv_config_free(cfg);
    } else {
        fprintf(stderr, "  %s\n", err);
    }

    /* caBundle is the CA in the Secret, and that CA signed a certificate for the Service. */
    json_t *secret = find(&r, "Secret");
    json_t *vwc = find(&r, "ValidatingWebhookConfiguration");
    CHECK_STR(str(secret, "type"), "kubernetes.io/tls");
    const char *ca_b64 = str(vwc, "webhooks[0].clientConfig.caBundle");
    json_t *data = at(secret, "data");
    const char *ca_in_secret = json_string_value(json_object_get(data, "ca.crt"));
    const char *crt = json_string_value(json_object_get(data, "tls.crt"));
    CHECK_STR(ca_b64, ca_in_secret);
    if (CHECK(ca_b64 && crt)) {
        size_t calen, crtlen;
        char e[128];
        unsigned char *ca_pem = wgk8s_base64_decode(ca_b64, strlen(ca_b64), &calen, e, sizeof e);
        unsigned char *crt_pem = wgk8s_base64_decode(crt, strlen(crt), &crtlen, e, sizeof e);
        gnutls_x509_crt_t cacert, leaf;
        gnutls_x509_crt_init(&cacert);
        gnutls_x509_crt_init(&leaf);
        gnutls_datum_t a = {ca_pem, (unsigned)calen}, b = {crt_pem, (unsigned)crtlen};
        CHECK(gnutls_x509_crt_import(cacert, &a, GNUTLS_X509_FMT_PEM) == 0);
        CHECK(gnutls_x509_crt_import(leaf, &b, GNUTLS_X509_FMT_PEM) == 0);
        CHECK(gnutls_x509_crt_check_hostname(leaf, "t-wasmgate.wg.svc"));
        unsigned int verify = 1;
        CHECK(gnutls_x509_crt_list_verify(&leaf, 1, &cacert, 1, NULL, 0, 0, &verify) == 0);
        CHECK_INT(verify, 0);
        gnutls_x509_crt_deinit(cacert);
        gnutls_x509_crt_deinit(leaf);
        free(ca_pem);
        free(crt_pem);
    }
    json_t *w = at(vwc, "webhooks[0]");
    CHECK_STR(str(w, "clientConfig.service.name"), "t-wasmgate");
    CHECK_STR(str(w, "clientConfig.service.namespace"), "wg");
    CHECK_STR(str(w, "clientConfig.service.path"), "/validate");
    CHECK_STR(str(w, "sideEffects"), "None");
    CHECK_STR(str(w, "failurePolicy"), "Fail");
    CHECK_STR(str(w, "admissionReviewVersions[0]"), "v1");
    CHECK_STR(str(w, "rules[0].resources[0]"), "pods");
    /* wasmgate's own namespace is never sent to wasmgate */
    CHECK_STR(str(w, "namespaceSelector.matchExpressions[0].values[0]"), "wg");
    CHECK_STR(str(w, "namespaceSelector.matchExpressions[0].operator"), "NotIn");
    render_free(&r);
}

static void cert_manager_mode_injects_the_ca_and_mutating_is_wired(void)
{
    render r = helm_template("--set tls.mode=cert-manager --set webhooks.mutating.enabled=true");
    if (!CHECK_INT(r.status, 0)) fprintf(stderr, "%s\n", r.stderr_text);
    CHECK(find(&r, "Secret") == NULL);
    json_t *cert = find(&r, "Certificate");
    CHECK_STR(str(cert, "spec.secretName"), "t-wasmgate-tls");
    CHECK_STR(str(cert, "spec.dnsNames[2]"), "t-wasmgate.wg.svc");
    CHECK_STR(str(cert, "spec.issuerRef.name"), "t-wasmgate-selfsigned");
    CHECK(find(&r, "Issuer") != NULL);
    json_t *mwc = find(&r, "MutatingWebhookConfiguration");
    json_t *vwc = find(&r, "ValidatingWebhookConfiguration");
    CHECK_STR(json_string_value(json_object_get(at(mwc, "metadata.annotations"),
                                                "cert-manager.io/inject-ca-from")),
              "wg/t-wasmgate");
    CHECK_STR(json_string_value(json_object_get(at(vwc, "metadata.annotations"),
                                                "cert-manager.io/inject-ca-from")),
              "wg/t-wasmgate");
    CHECK_STR(str(mwc, "webhooks[0].clientConfig.service.path"), "/mutate");
    CHECK_STR(str(mwc, "webhooks[0].reinvocationPolicy"), "Never");
    CHECK(at(mwc, "webhooks[0].clientConfig.caBundle") == NULL);
    render_free(&r);
}

static void client_ca_turns_on_mtls_in_the_config(void)
{
    render r = helm_template("--set tls.clientCA.secretName=apiserver-client-ca "
                             "--set replicaCount=1");
    if (!CHECK_INT(r.status, 0)) fprintf(stderr, "%s\n", r.stderr_text);
    const char *yaml =
        json_string_value(json_object_get(at(find(&r, "ConfigMap"), "data"), "wasmgate.yaml"));
    CHECK_CONTAINS(yaml, "clientCAFile: /etc/wasmgate/client-ca/ca.crt");
    json_t *d = find(&r, "Deployment");
    CHECK_STR(str(d, "spec.template.spec.volumes[3].secret.secretName"), "apiserver-client-ca");
    CHECK(find(&r, "PodDisruptionBudget") == NULL); /* one replica: no PDB */
    render_free(&r);
}

static void modules_can_come_from_the_chart(void)
{
    render r = helm_template("--set modules.existingConfigMap= "
                             "--set modules.binaryData.policy\\\\.wasm=AGFzbQEAAAA=");
    if (!CHECK_INT(r.status, 0)) fprintf(stderr, "%s\n", r.stderr_text);
    size_t i;
    json_t *o;
    bool found = false;
    json_array_foreach(r.objects, i, o)
    {
        const char *name = str(o, "metadata.name");
        if (name && strcmp(name, "t-wasmgate-modules") == 0) {
            found = true;
            CHECK_STR(json_string_value(json_object_get(at(o, "binaryData"), "policy.wasm")),
                      "AGFzbQEAAAA=");
        }
    }
    CHECK(found);
    render_free(&r);
}

static void bad_values_fail_with_a_message(void)
{
    render r = helm_template("--set tls.mode=secret --set tls.secretName=mine");
    CHECK(r.status != 0);
    CHECK_CONTAINS(r.stderr_text, "tls.caBundle");
    render_free(&r);
    r = helm_template("--set tls.mode=selfsigned");
    CHECK(r.status != 0);
    CHECK_CONTAINS(r.stderr_text, "tls.mode must be generate, secret or cert-manager");
    render_free(&r);
    r = helm_template("--set modules.existingConfigMap=");
    CHECK(r.status != 0);
    CHECK_CONTAINS(r.stderr_text, "modules: set existingConfigMap, binaryData or volume");
    render_free(&r);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: server_helm_render HELM CHART_DIR\n");
        return 2;
    }
    helm = argv[1];
    chart = argv[2];
    RUN(defaults_render_a_complete_secure_deployment);
    RUN(cert_manager_mode_injects_the_ca_and_mutating_is_wired);
    RUN(client_ca_turns_on_mtls_in_the_config);
    RUN(modules_can_come_from_the_chart);
    RUN(bad_values_fail_with_a_message);
    return srvt_finish();
}
