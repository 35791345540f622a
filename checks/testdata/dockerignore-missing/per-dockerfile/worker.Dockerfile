FROM node:22
ADD . /app
