import { Module } from "@nestjs/common";
import { NotesCache } from "./notes.cache.js";
import { NotesController } from "./notes.controller.js";
import { NotesService } from "./notes.service.js";

@Module({ controllers: [NotesController], providers: [NotesService, NotesCache] })
export class NotesModule {}
