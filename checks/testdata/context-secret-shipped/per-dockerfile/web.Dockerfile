FROM alpine:3.20
# want `COPY \. /srv sends \.env \(dotenv file\) into the image`
COPY . /srv
