const express = require("express");
const logger = require("@acme/logger");
const app = express();
app.get("/", (req, res) => res.send("ok"));
app.listen(3000, () => logger.info("listening on 3000"));
