// Swagger UI over the server's own document; kept out of the page so the page's CSP allows no inline script.
window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
