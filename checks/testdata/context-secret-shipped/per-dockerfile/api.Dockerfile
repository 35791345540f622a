FROM alpine:3.20
COPY . /srv
